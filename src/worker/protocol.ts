import type { AdapterIdentity } from '../autotune/plan';
import type { BenchReport, BenchRow, LargestConv, LayerTuning } from '../benchmark/report';
import type { BenchmarkRequest } from '../benchmark/settings';
import type { ExperimentConfig } from '../config/params';
import type { LoadProgress } from '../data/files';
import type { RealDatasetKind } from '../data/load';
import type { MemoryEstimate } from '../data/memory';
import type { DivergenceMark } from '../experiments/divergence';

/** Messages between the UI (main thread) and the training worker. Shared by both sides. */

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

export interface StartOptions {
  /** Continue the run from the checkpoint stored in the browser (after a reload). */
  resume?: boolean;
}

export interface TeacherInfo {
  runId: string;
  label: string;
  classes: number;
}

/** One trained tensor, by its parameter name (e.g. "stage1.block0.conv1.weight"). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** The worker's API, called from the UI through Comlink. */
export interface TrainerWorkerApi extends DatasetWorkerApi {
  /** Picks and initializes a backend (WebGPU, then WebGL, then CPU) and reports it. */
  init(onEvent: EventSink): Promise<BackendInfo>;
  /** Trains a run to the end; resolves when it finishes, stops or fails. */
  start(runId: string, config: ExperimentConfig, options?: StartOptions): Promise<void>;
  pause(): void;
  resume(): void;
  /** While paused: run exactly one more optimizer step, then stay paused. */
  step(): void;
  stop(): void;
  /** The weights of a finished run this worker holds (parameters and BN statistics); null if none. */
  exportWeights(runId: string): Promise<NamedWeight[] | null>;
  /** Finished runs whose weights the worker holds, usable as distillation teachers. */
  teachers(): Promise<TeacherInfo[]>;
  /**
   * Test hook: destroys the GPU device (`device.destroy()`) as a driver reset would; the worker
   * then re-creates it and resumes the run. False when no WebGPU device is in use.
   */
  simulateDeviceLoss(): Promise<boolean>;
  /** Test hook: throws an uncaught error in the worker a moment later, as a crash would. */
  crashWorker(): void;
  /**
   * Runs the engine benchmark (stock tf.layers vs our engine) on this worker's WebGPU device.
   * Never rejects for a refusal (training in progress, no WebGPU), a failure or a stop: the
   * outcome says which, with the rows measured so far.
   */
  runBenchmark(
    request: BenchmarkRequest,
    onEvent: (event: BenchmarkEvent) => void,
  ): Promise<BenchmarkOutcome>;
  /** Stops the benchmark before its next step. */
  stopBenchmark(): void;
}

// ---- The Benchmark panel (issue 5) ----

export type { BenchmarkRequest };

export type BenchmarkEvent =
  | { type: 'progress'; message: string; rowsDone: number; rowsTotal: number }
  | { type: 'row'; row: BenchRow; dispatches: number }
  | { type: 'peak'; peakGflops: number }
  | { type: 'layers'; tuning: LayerTuning }
  | { type: 'largestConv'; largestConv: LargestConv };

export type BenchmarkOutcome =
  | {
      status: 'finished';
      report: BenchReport;
      /** The step after which tensors and GPU bytes were read the second time. */
      leakStep: number;
      /** Compute dispatches of one step, per row. */
      dispatchesPerStep: number[];
      largestConv: LargestConv;
      seconds: number;
    }
  | {
      status: 'stopped' | 'failed';
      message: string;
      adapter: string;
      /** Rows measured before it stopped or failed. */
      rows: BenchRow[];
      dispatchesPerStep: number[];
      /** Measured before any row; null when the run ended first. */
      peakGflops: number | null;
      /** The per-layer kernel timings (before any row); absent or null when the run ended first. */
      tuning?: LayerTuning | null;
      largestConv: LargestConv | null;
      seconds: number;
    };

// ---- Datasets loaded from files, URLs or the browser cache (issue 3) ----

export type { LoadProgress, MemoryEstimate, RealDatasetKind };

/** What the page shows about a loaded dataset (the pixels stay in the worker). */
export interface DatasetSummary {
  kind: RealDatasetKind;
  name: string;
  classNames: string[];
  trainCount: number;
  valCount: number;
  /** Stored image size (image folders: input × 256/224 at loading time). */
  height: number;
  width: number;
  /** Bytes of pixels and labels held in memory. */
  bytes: number;
  validation: 'files' | 'held-out';
  /** Skipped files and remarks. */
  warnings: string[];
  /** Where it came from: file names, a URL, or "browser cache". */
  source: string;
}

export type DatasetLoadRequest =
  /** Files from a picker or drop; `paths` are their relative paths, `directories` every folder seen. */
  | { kind: 'files'; files: File[]; paths: string[]; directories: string[] }
  /** One or more URLs separated by white space. */
  | { kind: 'url'; url: string }
  | { kind: 'cache'; dataset: RealDatasetKind };

export type DatasetEvent =
  { type: 'progress'; progress: LoadProgress } | { type: 'estimate'; estimate: MemoryEstimate };

/** One augmented training batch as the network sees it before normalization. */
export interface PreviewBatch {
  count: number;
  /** Side of each image (the network input). */
  size: number;
  /** count × size × size × 3 bytes. */
  pixels: Uint8Array;
  labels: string[];
  dataset: string;
}

export interface DatasetWorkerApi {
  /** Loads (and caches) a dataset; the previous one stays in use if this fails. */
  loadDataset(
    request: DatasetLoadRequest,
    options: { requested: RealDatasetKind | null; inputSize: number },
    onEvent: (event: DatasetEvent) => void,
  ): Promise<DatasetSummary>;
  cancelLoad(): void;
  /** The dataset the worker holds in memory, if any. */
  loadedDataset(): Promise<DatasetSummary | null>;
  /** `draw` numbers refreshes: each gives a new batch. */
  preview(config: ExperimentConfig, count: number, draw: number): Promise<PreviewBatch>;
  /** Raw validation images (as stored, before any transform) of the config's dataset. */
  validationImages(config: ExperimentConfig, indices: number[]): Promise<ValidationImages>;
}

export interface ValidationImages {
  height: number;
  width: number;
  /** indices.length × height × width × 3 bytes. */
  pixels: Uint8Array;
  classNames: string[];
}
