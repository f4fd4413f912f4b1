import type { AdapterIdentity } from '../tuning-plan/plan';
import type { DivergenceMark } from '../experiments/divergence';

/**
 * The types of a run as the engine reports it and the worker and the page show it: phases,
 * training points, evaluations, progress, events and checkpoints. A neutral module (types only):
 * the engine, the worker and the UI all import it, and it imports none of them.
 */

export type BackendName = 'webgpu' | 'webgl' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  /** Human-readable adapter name, e.g. "NVIDIA GeForce RTX 4090" or "llvmpipe". */
  adapter: string;
  /** Why a fallback was taken; empty when WebGPU works. */
  fallbackReason: string;
  /** The adapter exposes the WebGPU 'shader-f16' feature. */
  shaderF16: boolean;
  /** WebGPU only: the largest buffer one tensor may occupy, for the pre-flight check. */
  maxStorageBufferBindingSize?: number;
  /** WebGPU only: vendor, architecture, device and description, which key the kernel tuning cache. */
  adapterIdentity?: AdapterIdentity;
  /** WebGPU only: the adapter writes GPU timestamps ('timestamp-query'), which the tuner uses. */
  timestampQuery?: boolean;
  /** WebGPU only: the device has 'subgroups', laid out as BN's shuffles need (it uses them). */
  subgroups?: boolean;
  /** WebGPU only: the device has the adapter's limits, or WebGPU's defaults (the engine tests). */
  limits?: 'adapter' | 'default';
  /** Failpoints in force (testing only: src/config/failpoints.ts), and entries refused, if any. */
  failpoints?: { active: string; refused: string[] };
}

export type RunPhase =
  'idle' | 'preparing' | 'warmup' | 'training' | 'paused' | 'finished' | 'stopped' | 'failed';

/** The phases a run ends in (see run-events.ts for the rules both sides fold events with). */
export type TerminalPhase = Extract<RunPhase, 'finished' | 'stopped' | 'failed'>;

export interface TrainPoint {
  /** Global step, 1-based: the number of optimizer updates done. */
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** FP16 runs only: the loss scale this step used, and the updates skipped so far (overflow). */
  lossScale?: number;
  skipped?: number;
}

export interface EvalResult {
  epoch: number;
  step: number;
  /** Training images this epoch trained on: all of them, unless a step limit ended it early. */
  imagesSeen?: number;
  valLoss: number;
  top1: number;
  /** null when the dataset has 5 classes or fewer. */
  top5: number | null;
  /** Per validation image: max logit minus the mean of the other logits (paper Fig. 4b). */
  gaps: number[];
  meanGap: number;
  /** Per validation image: the predicted class, its softmax probability, and the true class. */
  predictions?: number[];
  confidences?: number[];
  labels?: number[];
  /**
   * Segmentation (paper §6.2, Table 9): the fraction of pixels labelled right, and the mean over
   * classes of TP / (TP + FP + FN), both from the confusion summed over the whole split (`top1`
   * is the pixel accuracy, `valLoss` and the gaps are per pixel).
   */
  pixelAccuracy?: number;
  mIoU?: number;
  /** Segmentation: the predicted masks (input × input, row-major) of the first validation images. */
  predictedMasks?: number[][];
}

export interface Progress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  imagesPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export type TrainerEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'phase'; phase: RunPhase; message?: string }
  /** Shader warm-up and dataset preparation; fraction in [0, 1] when known. */
  | { type: 'status'; message: string; fraction?: number }
  | { type: 'progress'; progress: Progress }
  | { type: 'train-points'; points: TrainPoint[] }
  | { type: 'eval'; result: EvalResult }
  | { type: 'finished'; warmupMs: number; finalTop1: number | null }
  | { type: 'error'; message: string }
  /** A NaN/Inf loss: the model went back to its last good checkpoint and the run is paused. */
  | { type: 'diverged'; mark: DivergenceMark }
  /** Something went wrong and was repaired (a lost GPU device re-created); the run goes on. */
  | { type: 'notice'; message: string }
  /** A checkpoint of this run is stored in the browser: a reload can resume from it. */
  | { type: 'checkpoint'; step: number; epoch: number }
  /** The run is over: sent once per run, after all its other events, with how it ended. */
  | { type: 'ended'; outcome: TerminalPhase };

export type EventSink = (event: TrainerEvent) => void;

export type { DivergenceMark };

/** One trained tensor, by its parameter name (e.g. "stage1.block0.conv1.weight"). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * A training checkpoint: CPU copies (Float32Array) of every parameter, BN running statistic and
 * NAG velocity, taken at an epoch boundary. Living on the CPU, a checkpoint survives a lost GPU
 * device, can be written to IndexedDB and holds no GPU memory: the trainer keeps exactly one.
 *
 * Checkpoints are taken only at epoch boundaries, so the random streams of the next epoch are
 * re-derived from the seed and the epoch number (see epochStreams) instead of being stored.
 */
export interface Checkpoint {
  /** Optimizer steps done when it was taken. */
  step: number;
  /** Epochs completed (0 = the initial weights). */
  epoch: number;
  /** Training seconds up to it (pauses excluded), so the elapsed time continues after a resume. */
  elapsedSeconds: number;
  tensors: NamedWeight[];
}
