import type { AdapterIdentity } from '../tuning-plan/plan';
import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from '../data/dataset';
import type { LossScaleOptions } from '../tricks';
import type { Checkpoint, EvalResult, EventSink, NamedWeight } from '../run/events';
import type { RaceSeat } from '../run-control/race-turns';
import type { TuningCacheStore } from './autotune/tuner';
import type { PackedArithmetic } from './heavy-ops';
import type { ResNetModel } from './model';

/**
 * What a trainer is given and what it returns: the types that the loop (trainer.ts) and the
 * session its parts share (training/session.ts) both use, kept apart so neither imports the other.
 */

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
  /**
   * Transfer learning (paper §6, required when config.backbone is set): the trained tensors
   * (parameters and BN statistics, by name) the model starts from; its classifier (`fc.*`) is
   * drawn afresh for this dataset's classes. `config.transfer` and `config.backbone_lr` say how
   * it trains.
   */
  backbone?: NamedWeight[] | null;
  onEvent: EventSink;
  /** Tests and benchmarks: end training after this many steps (then evaluate and finish). */
  stepsLimit?: number;
  /** FP16 runs: overrides of the dynamic loss scale (tests force overflows with a huge start). */
  lossScale?: Partial<LossScaleOptions>;
  /**
   * FP16 runs: force the arithmetic under f16 storage (default: 'f16' when the device has
   * shader-f16, else 'f32').
   */
  fp16Arithmetic?: PackedArithmetic;
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
  /**
   * A race: this trainer warms up and steps only on its turn (src/run-control/race-turns.ts). The
   * caller makes it leave the race when the run ends.
   */
  raceSeat?: RaceSeat;
}
