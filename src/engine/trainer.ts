import * as tf from '@tensorflow/tfjs';
import { buildResNetSpec, resnetOptionsFromConfig } from '../architecture';
import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from '../data/dataset';
import {
  createRng,
  learningRateAt,
  lrScheduleFromConfig,
  preprocessingSwitches,
  sampleAugmentationBatch,
  sampleMixupLambda,
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
import { evaluate } from './evaluate';
import { createGpuLossScaler, type GpuLossScaler } from './fp16/loss-scaler';
import { F32_OPS, f16Ops } from './fp16/ops';
import type { Precision } from './kernels/gemm-wgsl';
import { createResNetModel, type ResNetModel } from './model';
import { createNagOptimizer } from './optimizer';
import { gatherImages, gatherLabels } from './preprocess';
import { trainStepWithStats, type StepContext } from './step';

/**
 * The training loop, readable top to bottom in `run()`. Losses stay on the GPU and are read back
 * in one batch every READBACK_STEPS steps (or READBACK_MS); the loop yields to the event loop
 * often enough for pause/resume/step/stop to get through.
 */

export const READBACK_STEPS = 10;
export const READBACK_MS = 2000;
export const YIELD_MS = 50;
const SPEED_WINDOW_MS = 10_000;

export type RunOutcome = 'finished' | 'stopped' | 'failed';

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
}

export interface Trainer {
  /** Trains to the end; null only when it failed before a model existed. */
  run(): Promise<TrainedModel | null>;
  pause(): void;
  resume(): void;
  /** While paused: one more optimizer step, then paused again. */
  step(): void;
  stop(): void;
  readonly phase: RunPhase;
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
    const root = createRng(config.seed);
    const initRng = root.fork();
    const shuffleRng = root.fork();
    const augmentRng = root.fork();
    const mixupRng = root.fork();

    const spec = buildResNetSpec(resnetOptionsFromConfig(config, classes));
    if (config.fp16 && tf.getBackend() !== 'webgpu') {
      return fail(null, `FP16 training needs WebGPU (this run has ${tf.getBackend()})`);
    }
    const model = createResNetModel(
      spec,
      config.input,
      initRng,
      config.fp16 ? f16Ops(options.fp16Precision) : F32_OPS,
    );
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
    let globalStep = 0;
    let epoch = 0;

    /** Reads all pending losses in one transfer; false when one is NaN or infinite. */
    const readback = async (): Promise<boolean> => {
      if (pending.length === 0) return true;
      const batch = pending.splice(0);
      const stacked = tf.stack(batch.map((p) => p.loss));
      const values = await stacked.data();
      stacked.dispose();
      batch.forEach((p) => p.loss.dispose());
      const scales = await readLossScales(batch);
      lastReadback = performance.now();
      const points: TrainPoint[] = [];
      for (let i = 0; i < batch.length; i++) {
        const loss = values[i]!;
        if (!Number.isFinite(loss)) {
          if (points.length > 0) emit({ type: 'train-points', points });
          const step = batch[i]!.point.step;
          emit({
            type: 'error',
            message: `Training diverged at step ${step} (loss ${loss}) — try a lower learning rate or warmup`,
          });
          return false;
        }
        points.push({ ...batch[i]!.point, loss, ...scales[i] });
      }
      emit({ type: 'train-points', points });
      emit({ type: 'progress', progress: progress() });
      return true;
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
        elapsedSeconds: (now - trainingStart - pausedMs) / 1000,
      };
    };

    /** Honours pause/stop before each step; false = stop. */
    const gate = async (): Promise<boolean> => {
      if (pauseRequested && singleSteps === 0 && !stopRequested) {
        if (!(await readback())) return false;
        if (phase !== 'paused') setPhase('paused');
        const pausedAt = performance.now();
        while (pauseRequested && singleSteps === 0 && !stopRequested) {
          await new Promise<void>((resolve) => (wake = resolve));
        }
        pausedMs += performance.now() - pausedAt;
        speedWindow = [];
        if (!pauseRequested && !stopRequested) setPhase('training');
      }
      if (stopRequested) return false;
      if (pauseRequested && singleSteps > 0) singleSteps--;
      if (performance.now() - lastYield > YIELD_MS) {
        await nextTask();
        lastYield = performance.now();
      }
      return !stopRequested;
    };

    const evaluateEpoch = async () => {
      const metrics = await evaluate(model, dataset.val, height, width, config.batch);
      const evalResult: EvalResult = { epoch, step: globalStep, ...metrics };
      result.evals.push(evalResult);
      result.finalTop1 = metrics.top1;
      emit({ type: 'eval', result: evalResult });
      // Throughput counts training only.
      speedWindow = [{ time: performance.now(), step: globalStep }];
    };

    try {
      emit({
        type: 'status',
        message: `Model ${config.model}: ${model.parameters.length} parameter tensors, ${stepsPerEpoch} steps per epoch`,
      });
      setPhase('warmup', 'Compiling GPU shaders (first training step)…');
      emit({
        type: 'status',
        message: 'Compiling GPU shaders (first training step)…',
        fraction: 0,
      });
      trainingStart = performance.now();
      let diverged = false;
      let stopped = false;

      training: for (epoch = 1; epoch <= config.epochs; epoch++) {
        const order = shuffleRng.permutation(dataset.train.count);
        for (let i = 0; i < stepsPerEpoch; i++) {
          if (globalStep >= totalSteps) break training;
          if (!(await gate())) {
            stopped = !diverged;
            break training;
          }
          const indices = order.subarray(i * config.batch, (i + 1) * config.batch);
          const lr = learningRateAt(schedule, globalStep);
          const { loss, lossScale } = trainStepWithStats(
            ctx,
            {
              pixels: gatherImages(dataset.train, indices, imageSize),
              labels: gatherLabels(dataset.train, indices),
              count: config.batch,
              augmentation: sampleAugmentationBatch(
                augmentRng,
                config.batch,
                height,
                width,
                preprocessingSwitches(config),
              ),
              mixupLambda: sampleMixupLambda(mixupRng, config.mixup),
            },
            lr,
          );
          globalStep++;
          result.steps = globalStep;
          pending.push({ loss, lossScale, point: { step: globalStep, epoch, lr } });

          const first = globalStep === 1;
          const due =
            first ||
            pauseRequested ||
            pending.length >= READBACK_STEPS ||
            performance.now() - lastReadback >= READBACK_MS;
          if (due && !(await readback())) {
            diverged = true;
            break training;
          }
          if (first) {
            result.warmupMs = performance.now() - trainingStart;
            emit({
              type: 'status',
              message: `GPU shaders compiled in ${(result.warmupMs / 1000).toFixed(1)} s`,
              fraction: 1,
            });
            speedWindow = [{ time: performance.now(), step: globalStep }];
            if (!pauseRequested) setPhase('training');
          }
        }
        if (!(await readback())) {
          diverged = true;
          break;
        }
        await evaluateEpoch();
      }

      if (!diverged && !(await readback())) diverged = true;
      if (diverged) {
        setPhase('failed');
        result.outcome = 'failed';
      } else if (stopped) {
        setPhase('stopped');
        result.outcome = 'stopped';
      } else {
        // A stepsLimit that ended mid-epoch still gets an evaluation of the model as it is.
        if (result.evals.at(-1)?.step !== globalStep) {
          epoch = Math.min(epoch, config.epochs);
          await evaluateEpoch();
        }
        result.outcome = 'finished';
        emit({ type: 'finished', warmupMs: result.warmupMs, finalTop1: result.finalTop1 });
        setPhase('finished');
      }
      return result;
    } catch (error) {
      for (const p of pending.splice(0)) tf.dispose([p.loss, p.lossScale ?? []]);
      return fail(result, error instanceof Error ? error.message : String(error));
    } finally {
      for (const p of pending.splice(0)) tf.dispose([p.loss, p.lossScale ?? []]);
      optimizer.dispose();
      lossScaler?.dispose();
    }
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
    get phase() {
      return phase;
    },
  };
}
