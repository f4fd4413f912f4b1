import * as tf from '@tensorflow/tfjs-core';
import { buildResNetSpec, resnetOptionsFromConfig, type ResNetSpec } from '../../architecture';
import { bufferLimitProblem, trainingMemoryOf } from '../../architecture/memory';
import type { ExperimentConfig } from '../../config/params';
import type { ImageDataset } from '../../data/dataset';
import { createRng, lrScheduleFromConfig, NAG_MOMENTUM, type LrSchedule } from '../../tricks';
import type { RunControls } from '../../run-control/controls';
import { createThroughputMeter, type ThroughputMeter } from '../../run-control/meter';
import type { Rewindable } from '../../run-control/rewind';
import type { Checkpoint, EvalResult, Progress, RunPhase } from '../../run/events';
import { restoreCheckpoint, takeCheckpoint } from '../checkpoint';
import {
  describeGpuFault,
  settleGpuErrors,
  uncapturedErrorMark,
  uncapturedErrorSince,
} from '../faults/gpu-errors';
import { createGpuLossScaler, type GpuLossScaler } from '../fp16/loss-scaler';
import { fp16Ops, f32Ops, type HeavyOps } from '../heavy-ops';
import { installPackedGradientAccumulation } from '../packed';
import { createResNetModel, isClassifier, type ResNetModel } from '../model';
import { assignBackbone } from '../backbone';
import { createNagOptimizer, type NagOptimizer } from '../optimizer';
import type { StepContext } from '../step';
import { backendDevice } from '../kernels/dispatch';
import type { RunOutcome, TrainedModel, TrainerOptions } from '../trainer-types';
import { createLossReadback, type LossReadback } from './readback';
import { stepsPerEpoch as stepsPerEpochOf } from '../../run-control/epoch-plan';

/**
 * One run of a trainer: what it trains (model, optimizer, schedule) and where it stands (step,
 * epoch, checkpoint, evaluations). Warm-up, the epochs and a rewind share it.
 */
export interface Session extends Rewindable<Checkpoint> {
  readonly options: TrainerOptions;
  readonly config: ExperimentConfig;
  readonly dataset: ImageDataset;
  readonly classes: number;
  readonly stepsPerEpoch: number;
  /** Every epoch's steps, or fewer under `stepsLimit`. */
  readonly totalSteps: number;
  readonly schedule: LrSchedule;
  readonly spec: ResNetSpec;
  readonly ops: HeavyOps;
  readonly model: ResNetModel;
  readonly optimizer: NagOptimizer;
  readonly lossScaler: GpuLossScaler | null;
  readonly ctx: StepContext;
  readonly readback: LossReadback;
  readonly meter: ThroughputMeter;
  readonly phase: RunPhase;
  // `step` and `epoch` (from Rewindable) move only here: countStep, startNextEpoch, and restore,
  // which goes back to a checkpoint's.
  /** One more optimizer step was queued. */
  countStep(): void;
  /** The loop starts the epoch after the current one. */
  startNextEpoch(): void;
  /** The trainer was interrupted (its GPU device is lost). */
  interrupted(): boolean;
  checkpoint: Checkpoint | null;
  evals: EvalResult[];
  finalTop1: number | null;
  /** Images trained so far in the current epoch (all of them by its end: training/epoch-plan.ts). */
  imagesSeen: number;
  /** When warm-up began; it ends with the first step, whose readback sets `warmupMs`. */
  warmupStart: number;
  warmupMs: number | null;
  /** When the loop last let the event loop run (see YIELD_MS). */
  lastYield: number;
  /** Steps of this trainer run still to be run inside GPU error scopes (SCOPED_STEPS). */
  scopedSteps: number;
  /**
   * A GPU error no scope caught since the run began (the device's `uncapturederror` listener),
   * in words, with the step it was found at and the checkpoint kept; null while there is none.
   */
  gpuFault(): string | null;
  /** gpuFault once the errors of finished work have arrived: after a readback, before trusting it. */
  settledGpuFault(): Promise<string | null>;
}

/**
 * The first steps of every trainer run run inside GPU error scopes (epoch.ts): an error there (a
 * kernel the device rejects) is pinned to its step before any loss is believed. Each costs a wait
 * for the GPU's verdict; later steps rely on the device's uncapturederror listener (gpuFault).
 */
export const SCOPED_STEPS = 3;

/** What the trainer keeps outside its runs, which a session reports to. */
export interface SessionHooks {
  controls: RunControls;
  phase(): RunPhase;
  setPhase(phase: RunPhase, message?: string): void;
  interrupted(): boolean;
}

/** Why these options cannot train; null when they can. */
export function refusal(options: TrainerOptions): string | null {
  const { config, dataset } = options;
  const teacher = options.teacher ?? null;
  if (dataset.train.count < config.batch) {
    return `Batch size ${config.batch} exceeds the ${dataset.train.count} training images`;
  }
  // Whether a teacher fits the dataset is resolveTeacher's question (the worker; the CLI trains
  // its teachers on the same dataset).
  if (config.distill && !teacher) return `Distillation teacher ${config.distill} is not available`;
  const segment = config.task === 'segment';
  if (segment !== Boolean(dataset.train.masks)) {
    return segment
      ? `Segmentation needs per-pixel labels, and ${dataset.name} has none`
      : `${dataset.name} is a segmentation dataset: train it with task=segment`;
  }
  // Mixup's partner and the teacher's scores are per image; FCN's targets are per pixel.
  if (segment && (config.mixup > 0 || config.distill)) {
    return 'Segmentation trains without mixup and distillation (they are backbone tricks in Table 9)';
  }
  // A resumed run's checkpoint holds the backbone's trained values: it needs no backbone.
  if (config.backbone && !options.backbone && !options.resumeFrom) {
    return `Backbone ${config.backbone} is not available`;
  }
  if (config.fp16 && tf.getBackend() !== 'webgpu') {
    return `FP16 training needs WebGPU (this run has ${tf.getBackend()})`;
  }
  // The page's pre-flight, again for the CLI and links that start at once: a tensor larger than
  // one binding would fail inside a kernel (or a driver) halfway through warm-up.
  if (tf.getBackend() === 'webgpu') {
    const memory = trainingMemoryOf(config);
    const limit = backendDevice().limits.maxStorageBufferBindingSize;
    const problem = memory && bufferLimitProblem(memory, limit);
    if (problem) return problem;
  }
  return null;
}

/** Builds the model (initial weights from the seed), its optimizer and the run's bookkeeping. */
export function createSession(options: TrainerOptions, hooks: SessionHooks): Session {
  const { config, dataset } = options;
  const classes = dataset.classNames.length;
  const stepsPerEpoch = stepsPerEpochOf(dataset.train.count, config.batch);
  const totalSteps = Math.min(config.epochs * stepsPerEpoch, options.stepsLimit ?? Infinity);
  const checkpoint = options.resumeFrom ?? null;
  const spec = buildResNetSpec(resnetOptionsFromConfig(config, classes));
  const ops = config.fp16
    ? fp16Ops(spec, config.kernels, options.fp16Arithmetic)
    : f32Ops(config.kernels);
  // tfjs sums the gradients of a tensor with several consumers with 'Add': packed ones need ours.
  if (ops.format.storage === 'f16') installPackedGradientAccumulation();
  // Shuffling, augmentation and mixup draw from per-epoch streams instead (epochStreams).
  const transfer = config.backbone !== '';
  const model = createResNetModel(spec, config.input, createRng(config.seed).fork(), ops, true, {
    frozenBackbone: transfer && config.transfer === 'probe',
  });
  // A resumed run's checkpoint holds the backbone's trained values already.
  if (transfer && !checkpoint) {
    try {
      assignBackbone(model, options.backbone ?? [], config.backbone);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  const lossScaler = config.fp16 ? createGpuLossScaler(options.lossScale) : null;
  const optimizer = createNagOptimizer(
    model.trainableParameters,
    config.wd,
    config.no_bias_decay,
    NAG_MOMENTUM,
    true,
    // Fine-tuning (§6): the backbone at its multiple of η, the new classifier at η.
    (p) => (transfer && !isClassifier(p.spec.name) ? config.backbone_lr : 1),
  );
  const meter = createThroughputMeter({
    batch: config.batch,
    epochs: config.epochs,
    stepsPerEpoch,
    totalSteps,
    elapsedBefore: checkpoint?.elapsedSeconds ?? 0,
  });
  let step = checkpoint?.step ?? 0;
  let epoch = checkpoint?.epoch ?? 0;
  const progress = (): Progress => meter.progress(epoch, step);
  const webgpu = tf.getBackend() === 'webgpu';
  const errorMark = webgpu ? uncapturedErrorMark() : 0;
  const gpuFault = (): string | null => {
    const fault = webgpu ? uncapturedErrorSince(errorMark) : null;
    return fault && gpuFaultMessage(session, describeGpuFault(fault, 'training'));
  };
  const settledGpuFault = async (): Promise<string | null> => {
    if (webgpu) await settleGpuErrors();
    return gpuFault();
  };
  const session: Session = {
    options,
    config,
    dataset,
    classes,
    stepsPerEpoch,
    totalSteps,
    schedule: lrScheduleFromConfig(config, stepsPerEpoch),
    spec,
    ops,
    model,
    optimizer,
    lossScaler,
    ctx: {
      model,
      optimizer,
      teacher: options.teacher?.model ?? null,
      classes,
      labelSmoothing: config.label_smoothing,
      temperature: config.temperature,
      height: dataset.height,
      width: dataset.width,
      lossScaler,
    },
    readback: createLossReadback({
      classes,
      emit: options.onEvent,
      progress,
      gpuFault: settledGpuFault,
    }),
    meter,
    controls: hooks.controls,
    emit: options.onEvent,
    get phase() {
      return hooks.phase();
    },
    setPhase: hooks.setPhase,
    interrupted: hooks.interrupted,
    progress,
    restore(to) {
      session.readback.discard();
      restoreCheckpoint(model, optimizer, to);
      ({ step, epoch } = to);
    },
    get step() {
      return step;
    },
    get epoch() {
      return epoch;
    },
    countStep() {
      step++;
    },
    startNextEpoch() {
      epoch++;
    },
    checkpoint,
    evals: [],
    finalTop1: null,
    imagesSeen: 0,
    failure: null,
    warmupStart: 0,
    warmupMs: null,
    lastYield: performance.now(),
    scopedSteps: SCOPED_STEPS,
    gpuFault,
    settledGpuFault,
  };
  return session;
}

/**
 * A GPU error that ends the run, for the user: where it was found and the checkpoint that
 * survives it (the worker keeps a failed run's stored checkpoint: its row offers Resume).
 */
export function gpuFaultMessage(s: Session, error: string): string {
  const kept = s.checkpoint
    ? ` The checkpoint of step ${s.checkpoint.step} is kept.`
    : ' No checkpoint was kept yet.';
  return `${error} (found at step ${s.step}; the steps since the last readback are not trusted).${kept}`;
}

/**
 * Keeps a new checkpoint at an epoch boundary, unless the state is not finite (the last good one
 * stays). It copies every weight and velocity to the CPU: a full sync, once per epoch.
 */
export async function keepCheckpoint(s: Session): Promise<void> {
  const position = { step: s.step, epoch: s.epoch, elapsedSeconds: s.meter.elapsedSeconds() };
  const taken = await takeCheckpoint(s.model, s.optimizer, position);
  // Weights a rejected command buffer never updated are not a checkpoint.
  const fault = await s.settledGpuFault();
  if (fault) throw new Error(fault);
  if (!taken) return;
  s.checkpoint = taken;
  s.options.onCheckpoint?.(taken);
}

/** The run's result; its model can serve as a distillation teacher. */
export function trainedModel(s: Session, outcome: RunOutcome): TrainedModel {
  return {
    config: s.config,
    classes: s.classes,
    model: s.model,
    outcome,
    evals: s.evals,
    finalTop1: s.finalTop1,
    warmupMs: s.warmupMs ?? 0,
    steps: s.step,
    dispose: () => s.model.dispose(),
  };
}
