import * as tf from '@tensorflow/tfjs';
import { buildResNetSpec, resnetOptionsFromConfig, type ResNetSpec } from '../architecture';
import type { AdapterIdentity } from '../autotune/plan';
import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from '../data/dataset';
import {
  divergenceCause,
  formatDivergedLoss,
  isDivergedLoss,
  type DivergenceMark,
} from '../experiments/divergence';
import {
  createRng,
  epochStreams,
  learningRateAt,
  lrScheduleFromConfig,
  preprocessingSwitches,
  sampleAugmentationBatch,
  sampleMixupLambda,
  type EpochStreams,
} from '../tricks';
import type {
  EvalResult,
  EventSink,
  Progress,
  RunPhase,
  TrainPoint,
  TrainerEvent,
} from '../worker/protocol';
import type { LossScaleOptions } from '../tricks';
import { restoreCheckpoint, takeCheckpoint, type Checkpoint } from './checkpoint';
import { evaluate } from './evaluate';
import { createGpuLossScaler, type GpuLossScaler } from './fp16/loss-scaler';
import { tuneConvolutions, type TuningCacheStore } from './autotune/tuner';
import { f16Ops, f32Ops, type HeavyOps } from './fp16/ops';
import { compileTfjsShadersAhead, compileTrainingShaders } from './precompile';
import type { Precision } from './kernels/gemm-wgsl';
import { createResNetModel, type ResNetModel } from './model';
import { createNagOptimizer } from './optimizer';
import { gatherImages, gatherLabels } from './preprocess';
import { dryRunStep, trainStepWithStats, type StepBatch, type StepContext } from './step';

/**
 * The training loop, readable top to bottom in `run()`. Losses stay on the GPU and are read back
 * in one batch every READBACK_STEPS steps (or READBACK_MS); the loop yields to the event loop
 * often enough for pause/resume/step/stop to get through.
 *
 * Reliability: a checkpoint (CPU copies of the weights, BN statistics and velocities) is taken at
 * the start and after every epoch. A NaN/Inf loss restores it and pauses the run with the likely
 * cause; Resume trains on from it. A lost GPU device ends the run as 'device-lost' with that
 * checkpoint, from which a new trainer (`resumeFrom`) continues on a re-created device.
 */

export const READBACK_STEPS = 10;
export const READBACK_MS = 2000;
export const YIELD_MS = 50;
const SPEED_WINDOW_MS = 10_000;

export type RunOutcome = 'finished' | 'stopped' | 'failed' | 'device-lost';

/** The result of a run; its model can serve as a distillation teacher. */
export interface TrainedModel {
  config: ExperimentConfig;
  classes: number;
  model: ResNetModel;
  outcome: RunOutcome;
  evals: EvalResult[];
  finalTop1: number | null;
  warmupMs: number;
  /** Optimizer steps done. */
  steps: number;
  dispose(): void;
}

export interface TrainerOptions {
  config: ExperimentConfig;
  dataset: ImageDataset;
  /** Distillation teacher (required when config.distill is set). */
  teacher?: TrainedModel | null;
  onEvent: EventSink;
  /** Tests and benchmarks: end training after this many steps (then evaluate and finish). */
  stepsLimit?: number;
  /** FP16 runs: overrides of the dynamic loss scale (tests force overflows with a huge start). */
  lossScale?: Partial<LossScaleOptions>;
  /** FP16 runs: force the kernel variant (default: 'f16' when the device has shader-f16). */
  fp16Precision?: Precision;
  /** The adapter, which keys the kernel tuning cache (default: an anonymous one). */
  adapter?: AdapterIdentity;
  /** Where tuned kernel choices persist between runs; none: tune every run. */
  tuningCache?: TuningCacheStore | null;
  /** Continue from this checkpoint (an epoch boundary) instead of fresh weights. */
  resumeFrom?: Checkpoint | null;
  /** Called with every new good checkpoint (the start and each epoch's end). */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** True once the GPU device is lost: errors then end the run as 'device-lost', not 'failed'. */
  deviceLost?: () => boolean;
}

export interface Trainer {
  /** Trains to the end; null only when it failed before a model existed. */
  run(): Promise<TrainedModel | null>;
  pause(): void;
  resume(): void;
  /** While paused: one more optimizer step, then paused again. */
  step(): void;
  stop(): void;
  /** The GPU device was lost: end at once with outcome 'device-lost' (keeping the checkpoint). */
  interrupt(): void;
  readonly phase: RunPhase;
  /** The latest good checkpoint; null before the first. */
  readonly checkpoint: Checkpoint | null;
}

/** Where a loss diverged. */
interface BadLoss {
  step: number;
  loss: number;
  lr: number;
  validation?: boolean;
}

interface PendingLoss {
  loss: tf.Scalar;
  /** FP16 runs: [loss scale used, skipped so far]. */
  lossScale: tf.Tensor1D | null;
  point: Omit<TrainPoint, 'loss'>;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The loss-scale readings of FP16 steps, read together after the losses ({} for f32 steps). */
async function readLossScales(
  batch: PendingLoss[],
): Promise<Pick<TrainPoint, 'lossScale' | 'skipped'>[]> {
  const tensors = batch.flatMap((p) => (p.lossScale ? [p.lossScale] : []));
  if (tensors.length === 0) return batch.map(() => ({}));
  const stacked = tf.stack(tensors);
  const values = await stacked.data();
  stacked.dispose();
  tf.dispose(tensors);
  let j = 0;
  return batch.map((p) => {
    if (!p.lossScale) return {};
    const out = { lossScale: values[2 * j]!, skipped: values[2 * j + 1]! };
    j++;
    return out;
  });
}

/** An adapter with no identity: its tuned choices are never mixed up with a real GPU's. */
const UNKNOWN_ADAPTER: AdapterIdentity = {
  vendor: 'unknown',
  architecture: '',
  device: '',
  description: '',
};

/**
 * Times the convolution kernels of this network on this device and installs the fastest in
 * `ops` (nothing to time under a forced family, or when every shape is cached). Part of warm-up.
 */
async function tuneKernels(
  spec: ResNetSpec,
  ops: HeavyOps,
  options: TrainerOptions,
  emit: EventSink,
): Promise<void> {
  const { config } = options;
  const result = await tuneConvolutions({
    spec,
    input: config.input,
    batch: config.batch,
    ops,
    adapter: options.adapter ?? UNKNOWN_ADAPTER,
    cache: options.tuningCache ?? null,
    onProgress: (done, total, stage) => {
      if (total === 0) return;
      const what =
        stage === 'compiling'
          ? `compiling candidate kernels: ${done} of ${total}`
          : `timing convolutions: ${done} of ${total}`;
      const message = `Tuning kernels for this GPU, ${what}…`;
      emit({ type: 'status', message, fraction: 0.25 * (done / total) });
    },
  });
  // A bad cache costs a tuning, never the run: the user hears of it and training goes on.
  if (result.notice) emit({ type: 'notice', message: result.notice });
}

export function createTrainer(options: TrainerOptions): Trainer {
  const { config, dataset, onEvent } = options;
  const teacher = options.teacher ?? null;
  const emit = (event: TrainerEvent) => onEvent(event);

  let phase: RunPhase = 'idle';
  const setPhase = (next: RunPhase, message?: string) => {
    phase = next;
    emit(message === undefined ? { type: 'phase', phase } : { type: 'phase', phase, message });
  };

  // Controls, set by the UI between steps.
  let pauseRequested = false;
  let stopRequested = false;
  let interrupted = false;
  let checkpoint: Checkpoint | null = options.resumeFrom ?? null;
  let singleSteps = 0;
  let wake: (() => void) | null = null;
  const wakeUp = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  async function run(): Promise<TrainedModel | null> {
    setPhase('preparing');
    const classes = dataset.classNames.length;
    const stepsPerEpoch = Math.floor(dataset.train.count / config.batch);
    if (stepsPerEpoch < 1) {
      return fail(
        null,
        `Batch size ${config.batch} exceeds the ${dataset.train.count} training images`,
      );
    }
    if (config.distill && !teacher) {
      return fail(null, `Distillation teacher ${config.distill} is not available`);
    }
    if (teacher && teacher.classes !== classes) {
      return fail(null, `The teacher has ${teacher.classes} classes, the dataset ${classes}`);
    }
    const totalSteps = Math.min(config.epochs * stepsPerEpoch, options.stepsLimit ?? Infinity);
    const schedule = lrScheduleFromConfig(config, stepsPerEpoch);
    // Initial weights from the seed; shuffling, augmentation and mixup from per-epoch streams.
    const initRng = createRng(config.seed).fork();

    const spec = buildResNetSpec(resnetOptionsFromConfig(config, classes));
    if (config.fp16 && tf.getBackend() !== 'webgpu') {
      return fail(null, `FP16 training needs WebGPU (this run has ${tf.getBackend()})`);
    }
    const ops = config.fp16
      ? f16Ops(options.fp16Precision, config.kernels)
      : f32Ops(config.kernels);
    const model = createResNetModel(spec, config.input, initRng, ops);
    const lossScaler: GpuLossScaler | null = config.fp16
      ? createGpuLossScaler(options.lossScale)
      : null;
    const optimizer = createNagOptimizer(model.parameters, config.wd, config.no_bias_decay);
    const { height, width } = dataset;
    const imageSize = height * width * 3;
    const ctx: StepContext = {
      model,
      optimizer,
      teacher: teacher?.model ?? null,
      classes,
      labelSmoothing: config.label_smoothing,
      temperature: config.temperature,
      height,
      width,
      lossScaler,
    };
    const result: TrainedModel = {
      config,
      classes,
      model,
      outcome: 'failed',
      evals: [],
      finalTop1: null,
      warmupMs: 0,
      steps: 0,
      dispose: () => model.dispose(),
    };

    // Metrics bookkeeping.
    const pending: PendingLoss[] = [];
    let lastReadback = performance.now();
    let lastYield = performance.now();
    let trainingStart = 0;
    let pausedMs = 0;
    let speedWindow: { time: number; step: number }[] = [];
    let globalStep = checkpoint?.step ?? 0;
    let epoch = checkpoint?.epoch ?? 0;
    const elapsedBefore = checkpoint?.elapsedSeconds ?? 0;
    const elapsedSeconds = () =>
      trainingStart === 0
        ? elapsedBefore
        : elapsedBefore + (performance.now() - trainingStart - pausedMs) / 1000;

    /** Reads all pending losses in one transfer; the first diverged one (NaN, Inf, exploded). */
    const readback = async (): Promise<BadLoss | null> => {
      if (pending.length === 0) return null;
      const batch = pending.splice(0);
      const stacked = tf.stack(batch.map((p) => p.loss));
      let values: Float32Array | Int32Array | Uint8Array;
      try {
        values = await stacked.data();
      } finally {
        // Also when the device is lost and the read fails.
        stacked.dispose();
        batch.forEach((p) => p.loss.dispose());
      }
      const scales = await readLossScales(batch);
      lastReadback = performance.now();
      const points: TrainPoint[] = [];
      for (let i = 0; i < batch.length; i++) {
        const loss = values[i]!;
        if (isDivergedLoss(loss, classes)) {
          if (points.length > 0) emit({ type: 'train-points', points });
          const { step, lr } = batch[i]!.point;
          return { step, loss, lr };
        }
        points.push({ ...batch[i]!.point, loss, ...scales[i] });
      }
      emit({ type: 'train-points', points });
      emit({ type: 'progress', progress: progress() });
      return null;
    };

    const progress = (): Progress => {
      const now = performance.now();
      speedWindow.push({ time: now, step: globalStep });
      // The recent window, plus the last record before it so that slow steps still get a rate.
      while (speedWindow.length > 2 && now - speedWindow[1]!.time > SPEED_WINDOW_MS)
        speedWindow.shift();
      const first = speedWindow[0]!;
      const seconds = (now - first.time) / 1000;
      const imagesPerSecond =
        seconds > 0 ? ((globalStep - first.step) * config.batch) / seconds : 0;
      const remaining = totalSteps - globalStep;
      return {
        epoch,
        epochs: config.epochs,
        step: globalStep,
        stepsPerEpoch,
        totalSteps,
        imagesPerSecond,
        etaSeconds: imagesPerSecond > 0 ? (remaining * config.batch) / imagesPerSecond : 0,
        elapsedSeconds: elapsedSeconds(),
      };
    };

    /** A new checkpoint at an epoch boundary, unless the state is not finite. */
    const saveCheckpoint = async () => {
      const taken = await takeCheckpoint(model, optimizer, {
        step: globalStep,
        epoch,
        elapsedSeconds: elapsedSeconds(),
      });
      if (!taken) return;
      checkpoint = taken;
      options.onCheckpoint?.(taken);
    };

    /**
     * A NaN/Inf loss (or validation loss): name the likely cause, go back to the last good
     * checkpoint and pause. False when there is no checkpoint to go back to.
     */
    const divergedAt = (bad: BadLoss): boolean => {
      for (const p of pending.splice(0)) p.loss.dispose();
      if (!checkpoint) return false;
      const cause = divergenceCause({ config, stepsPerEpoch, ...bad });
      const mark: DivergenceMark = {
        step: bad.step,
        loss: formatDivergedLoss(bad.loss),
        ...(bad.validation ? { validation: true } : {}),
        cause,
        restoredStep: checkpoint.step,
      };
      restoreCheckpoint(model, optimizer, checkpoint);
      globalStep = checkpoint.step;
      epoch = checkpoint.epoch;
      result.steps = globalStep;
      emit({ type: 'diverged', mark });
      emit({ type: 'progress', progress: progress() });
      pauseRequested = true;
      singleSteps = 0;
      setPhase(
        'paused',
        `Training diverged at step ${bad.step} (${bad.validation ? 'validation loss' : 'loss'} ${mark.loss}): ${cause}. The model is back at its checkpoint of step ${checkpoint.step}; Resume continues from there, Stop ends the run.`,
      );
      return true;
    };

    /**
     * Honours pause/stop before each step: 'stop', 'go', or 'rewound' when the losses read back
     * on pausing held a divergence (the model is then back at its checkpoint, and paused).
     */
    const gate = async (): Promise<'go' | 'stop' | 'rewound'> => {
      if (pauseRequested && singleSteps === 0 && !stopRequested) {
        const bad = await readback();
        if (bad) return onBadLoss(bad) ? 'rewound' : 'stop';
        if (phase !== 'paused') setPhase('paused');
        const pausedAt = performance.now();
        while (pauseRequested && singleSteps === 0 && !stopRequested && !interrupted) {
          await new Promise<void>((resolve) => (wake = resolve));
        }
        pausedMs += performance.now() - pausedAt;
        speedWindow = [];
        if (!pauseRequested && !stopRequested) setPhase('training');
      }
      if (stopRequested || interrupted) return 'stop';
      if (pauseRequested && singleSteps > 0) singleSteps--;
      if (performance.now() - lastYield > YIELD_MS) {
        await nextTask();
        lastYield = performance.now();
      }
      return stopRequested || interrupted ? 'stop' : 'go';
    };

    /** Evaluates; a non-finite validation loss is a divergence (returned, not reported). */
    let failure: string | null = null;
    /** Rewinds to the checkpoint and pauses; false (with `failure` set) when there is none. */
    const onBadLoss = (bad: BadLoss): boolean => {
      if (divergedAt(bad)) return true;
      failure = `Training diverged at step ${bad.step} (loss ${bad.loss}) and no checkpoint was kept`;
      return false;
    };

    const evaluateEpoch = async (): Promise<BadLoss | null> => {
      const metrics = await evaluate(model, dataset.val, height, width, config.batch);
      if (isDivergedLoss(metrics.valLoss, classes)) {
        return {
          step: globalStep,
          loss: metrics.valLoss,
          lr: learningRateAt(schedule, globalStep - 1),
          validation: true,
        };
      }
      const evalResult: EvalResult = { epoch, step: globalStep, ...metrics };
      result.evals.push(evalResult);
      result.finalTop1 = metrics.top1;
      emit({ type: 'eval', result: evalResult });
      // Throughput counts training only.
      speedWindow = [{ time: performance.now(), step: globalStep }];
      return null;
    };

    /** The batch of `indices`, augmented and mixed with draws from `streams`. */
    const batchOf = (indices: ArrayLike<number>, streams: EpochStreams): StepBatch => ({
      pixels: gatherImages(dataset.train, indices, imageSize),
      labels: gatherLabels(dataset.train, indices),
      count: config.batch,
      augmentation: sampleAugmentationBatch(
        streams.augment,
        config.batch,
        height,
        width,
        preprocessingSwitches(config),
      ),
      mixupLambda: sampleMixupLambda(streams.mixup, config.mixup),
    });
    /** A batch shaped like every training batch, from streams training never uses (epoch 0). */
    const dryRunBatch = (): StepBatch =>
      batchOf(
        Int32Array.from({ length: config.batch }, (_, i) => i % dataset.train.count),
        epochStreams(config.seed, 0),
      );

    try {
      emit({
        type: 'status',
        message: `Model ${config.model}: ${model.parameters.length} parameter tensors, ${stepsPerEpoch} steps per epoch`,
      });
      setPhase('warmup', 'Compiling GPU shaders…');
      const warmupStart = performance.now();
      await tuneKernels(spec, ops, options, emit);
      await compileTrainingShaders(spec, ops, config.input, config.batch, (done, total) => {
        emit({
          type: 'status',
          message: `Compiling GPU shaders: ${done} of ${total} of our kernels (in parallel)…`,
          fraction: 0.25 + (total > 0 ? (0.25 * done) / total : 0.25),
        });
      });
      emit({
        type: 'status',
        message: 'Compiling TensorFlow.js shaders (in parallel)…',
        fraction: 0.5,
      });
      await compileTfjsShadersAhead(() => dryRunStep(ctx, dryRunBatch()));
      emit({
        type: 'status',
        message: 'First training step…',
        fraction: 0.9,
      });
      if (checkpoint) restoreCheckpoint(model, optimizer, checkpoint);
      else await saveCheckpoint();
      trainingStart = performance.now();
      let stopped = false;
      let firstStep = true;

      training: for (epoch = epoch + 1; epoch <= config.epochs; epoch++) {
        const streams = epochStreams(config.seed, epoch);
        const order = streams.shuffle.permutation(dataset.train.count);
        // A resumed epoch starts at its beginning: checkpoints lie on epoch boundaries.
        for (let i = 0; i < stepsPerEpoch; i++) {
          if (globalStep >= totalSteps) break training;
          const next = await gate();
          if (next === 'rewound') {
            epoch = checkpoint!.epoch;
            continue training;
          }
          if (next === 'stop') {
            stopped = true;
            break training;
          }
          const indices = order.subarray(i * config.batch, (i + 1) * config.batch);
          const lr = learningRateAt(schedule, globalStep);
          const { loss, lossScale } = trainStepWithStats(ctx, batchOf(indices, streams), lr);
          globalStep++;
          result.steps = globalStep;
          pending.push({ loss, lossScale, point: { step: globalStep, epoch, lr } });

          const first = firstStep;
          firstStep = false;
          const due =
            first ||
            pauseRequested ||
            pending.length >= READBACK_STEPS ||
            performance.now() - lastReadback >= READBACK_MS;
          const bad = due ? await readback() : null;
          if (first) {
            result.warmupMs = performance.now() - warmupStart;
            emit({
              type: 'status',
              message: `GPU shaders compiled in ${(result.warmupMs / 1000).toFixed(1)} s`,
              fraction: 1,
            });
            speedWindow = [{ time: performance.now(), step: globalStep }];
            if (!pauseRequested && !bad) setPhase('training');
          }
          if (bad) {
            if (!onBadLoss(bad)) break training;
            epoch = checkpoint!.epoch;
            continue training;
          }
        }
        const bad = (await readback()) ?? (await evaluateEpoch());
        if (bad) {
          if (!onBadLoss(bad)) break training;
          epoch = checkpoint!.epoch;
          continue training;
        }
        await saveCheckpoint();
      }

      if (interrupted) {
        result.outcome = 'device-lost';
      } else if (failure !== null) {
        return fail(result, failure);
      } else if (stopped) {
        setPhase('stopped');
        result.outcome = 'stopped';
      } else {
        const bad = await readback();
        if (bad) return fail(result, `Training diverged at step ${bad.step} (loss ${bad.loss})`);
        // A stepsLimit that ended mid-epoch still gets an evaluation of the model as it is.
        if (result.evals.at(-1)?.step !== globalStep) {
          epoch = Math.min(epoch, config.epochs);
          const badEval = await evaluateEpoch();
          if (badEval)
            return fail(
              result,
              `Training diverged at step ${badEval.step} (validation loss ${badEval.loss})`,
            );
        }
        result.outcome = 'finished';
        emit({ type: 'finished', warmupMs: result.warmupMs, finalTop1: result.finalTop1 });
        setPhase('finished');
      }
      return result;
    } catch (error) {
      for (const p of pending.splice(0)) tf.dispose([p.loss, p.lossScale ?? []]);
      if (interrupted || (await deviceLostSoon())) {
        result.outcome = 'device-lost';
        return result;
      }
      return fail(result, error instanceof Error ? error.message : String(error));
    } finally {
      for (const p of pending.splice(0)) tf.dispose([p.loss, p.lossScale ?? []]);
      optimizer.dispose();
      lossScaler?.dispose();
    }
  }

  /** device.lost may settle a moment after the failed GPU call that revealed the loss. */
  async function deviceLostSoon(): Promise<boolean> {
    if (!options.deviceLost) return false;
    for (let i = 0; i < 20 && !options.deviceLost(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return options.deviceLost();
  }

  function fail(result: TrainedModel | null, message: string): TrainedModel | null {
    emit({ type: 'error', message });
    setPhase('failed');
    if (result) result.outcome = 'failed';
    return result;
  }

  return {
    run,
    pause() {
      pauseRequested = true;
    },
    resume() {
      pauseRequested = false;
      singleSteps = 0;
      wakeUp();
    },
    step() {
      if (!pauseRequested) return;
      singleSteps++;
      wakeUp();
    },
    stop() {
      stopRequested = true;
      wakeUp();
    },
    interrupt() {
      interrupted = true;
      wakeUp();
    },
    get phase() {
      return phase;
    },
    get checkpoint() {
      return checkpoint;
    },
  };
}
