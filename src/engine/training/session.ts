import * as tf from '@tensorflow/tfjs';
import { buildResNetSpec, resnetOptionsFromConfig, type ResNetSpec } from '../../architecture';
import type { ExperimentConfig } from '../../config/params';
import type { ImageDataset } from '../../data/dataset';
import { createRng, lrScheduleFromConfig, type LrSchedule } from '../../tricks';
import type { RunControls } from '../../training/controls';
import { createThroughputMeter, type ThroughputMeter } from '../../training/meter';
import type { Rewindable } from '../../training/rewind';
import type { EvalResult, Progress, RunPhase } from '../../run/events';
import { restoreCheckpoint, takeCheckpoint } from '../checkpoint';
import type { Checkpoint } from '../../run/events';
import { createGpuLossScaler, type GpuLossScaler } from '../fp16/loss-scaler';
import { fp16Ops, f32Ops, type HeavyOps } from '../heavy-ops';
import { installPackedGradientAccumulation } from '../packed';
import { createResNetModel, type ResNetModel } from '../model';
import { createNagOptimizer, type NagOptimizer } from '../optimizer';
import type { StepContext } from '../step';
import type { RunOutcome, TrainedModel, TrainerOptions } from '../trainer';
import { createLossReadback, type LossReadback } from './readback';
import { stepsPerEpoch as stepsPerEpochOf } from '../../training/epoch-plan';

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
}

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
  if (config.fp16 && tf.getBackend() !== 'webgpu') {
    return `FP16 training needs WebGPU (this run has ${tf.getBackend()})`;
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
    ? fp16Ops(spec, config.kernels, options.fp16Precision)
    : f32Ops(config.kernels);
  // tfjs sums the gradients of a tensor with several consumers with 'Add': packed ones need ours.
  if (ops.storage === 'packed') installPackedGradientAccumulation();
  // Shuffling, augmentation and mixup draw from per-epoch streams instead (epochStreams).
  const model = createResNetModel(spec, config.input, createRng(config.seed).fork(), ops);
  const lossScaler = config.fp16 ? createGpuLossScaler(options.lossScale) : null;
  const optimizer = createNagOptimizer(model.parameters, config.wd, config.no_bias_decay);
  const meter = createThroughputMeter({
    batch: config.batch,
    epochs: config.epochs,
    stepsPerEpoch,
    totalSteps,
    elapsedBefore: checkpoint?.elapsedSeconds ?? 0,
  });
  const progress = (): Progress => meter.progress(session.epoch, session.step);
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
    readback: createLossReadback({ classes, emit: options.onEvent, progress }),
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
    },
    step: checkpoint?.step ?? 0,
    epoch: checkpoint?.epoch ?? 0,
    checkpoint,
    evals: [],
    finalTop1: null,
    imagesSeen: 0,
    failure: null,
    warmupStart: 0,
    warmupMs: null,
    lastYield: performance.now(),
  };
  return session;
}

/**
 * Keeps a new checkpoint at an epoch boundary, unless the state is not finite (the last good one
 * stays). It copies every weight and velocity to the CPU: a full sync, once per epoch.
 */
export async function keepCheckpoint(s: Session): Promise<void> {
  const position = { step: s.step, epoch: s.epoch, elapsedSeconds: s.meter.elapsedSeconds() };
  const taken = await takeCheckpoint(s.model, s.optimizer, position);
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
