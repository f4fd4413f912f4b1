import type {
  BenchReport,
  BenchRow,
  LargestConv,
  LayerTuning,
  RooflinePeaks,
} from '../benchmark-report/report';
import type { BenchmarkRequest } from '../benchmark-report/settings';
import type { ExperimentConfig } from '../config/params';
import type { LoadProgress } from '../data/files';
import type { RealDatasetKind } from '../data/load';
import type { MemoryEstimate } from '../data/memory';
import type { BackendInfo, EvalResult, EventSink, NamedWeight, TrainerEvent } from '../run/events';
import type { TimmSample } from '../timm/export';

/**
 * Messages between the UI (main thread) and the training worker. Shared by both sides. The types
 * of a run's events (phases, points, evaluations, checkpoints) live in src/run/events.ts.
 */

export interface StartOptions {
  /** Continue the run from the checkpoint stored in the browser (after a reload). */
  resume?: boolean;
}

export interface TeacherInfo {
  runId: string;
  label: string;
  classes: number;
}

/** The worker's API, called from the UI through Comlink. */
export interface TrainerWorkerApi extends DatasetWorkerApi {
  /**
   * Picks and initializes a backend (WebGPU, then WebGL, then CPU) and reports it. `failpoints`:
   * faults to inject (src/config/failpoints.ts), from the page's localStorage; the valid entries
   * take effect, the backend info lists them and any that were refused.
   */
  init(onEvent: EventSink, failpoints?: string): Promise<BackendInfo>;
  /** Trains a run to the end; resolves when it finishes, stops or fails. */
  start(runId: string, config: ExperimentConfig, options?: StartOptions): Promise<void>;
  /**
   * Trains 2–4 runs at once, one step each in turn (src/run-control/race-turns.ts); pause, step,
   * resume and stop act on all of them. Each racer's events come to `onRacerEvent` with its run
   * id (not to init's sink). Rejects without training when the race does not fit the GPU
   * (src/architecture/race-memory.ts); otherwise resolves when every racer has ended.
   */
  startRace(
    racers: { runId: string; config: ExperimentConfig }[],
    onRacerEvent: (runId: string, event: TrainerEvent) => void,
  ): Promise<void>;
  pause(): void;
  resume(): void;
  /** While paused: run exactly one more optimizer step, then stay paused. */
  step(): void;
  stop(): void;
  /** The weights of a finished run this worker holds (parameters and BN statistics); null if none. */
  exportWeights(runId: string): Promise<NamedWeight[] | null>;
  /**
   * The sample of a timm export: `weights` (of the config's network) run in eval mode on the first
   * validation images of the config's dataset.
   */
  timmSample(config: ExperimentConfig, weights: NamedWeight[]): Promise<TimmSample>;
  /**
   * "Load checkpoint": builds the config's network with `weights`, evaluates it on the config's
   * dataset and keeps it as a teacher under `runId`, as a finished run would be.
   */
  adoptCheckpoint(
    runId: string,
    config: ExperimentConfig,
    weights: NamedWeight[],
  ): Promise<EvalResult>;
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

// ---- The Benchmark panel ----

export type { BenchmarkRequest };

export type BenchmarkEvent =
  | { type: 'progress'; message: string; rowsDone: number; rowsTotal: number }
  | { type: 'row'; row: BenchRow }
  | { type: 'peaks'; peaks: RooflinePeaks }
  | { type: 'layers'; tuning: LayerTuning }
  | { type: 'largestConv'; largestConv: LargestConv };

export type BenchmarkOutcome =
  | {
      status: 'finished';
      report: BenchReport;
      /** The step after which tensors and GPU bytes were read the second time. */
      leakStep: number;
      largestConv: LargestConv;
      seconds: number;
    }
  | {
      status: 'stopped' | 'failed';
      message: string;
      adapter: string;
      /** Rows measured before it stopped or failed. */
      rows: BenchRow[];
      /** Measured before any row; null when the run ended first. */
      peaks: RooflinePeaks | null;
      /** The per-layer kernel timings (before any row); absent or null when the run ended first. */
      tuning?: LayerTuning | null;
      largestConv: LargestConv | null;
      seconds: number;
    };

// ---- Datasets loaded from files, URLs or the browser cache ----

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
  /** The Hugging Face dataset id, when it came from the Hub (it tells `hub` datasets apart). */
  hubId?: string;
}

export type DatasetLoadRequest =
  /** Files from a picker or drop; `paths` are their relative paths, `directories` every folder seen. */
  | { kind: 'files'; files: File[]; paths: string[]; directories: string[] }
  /** One or more URLs separated by white space. */
  | { kind: 'url'; url: string }
  | { kind: 'cache'; dataset: RealDatasetKind }
  /**
   * From the Hugging Face Hub: a dataset of the catalog (src/data/hub/catalog.ts), or `hub` and
   * any dataset id. `hubUrl` is https://huggingface.co except in tests.
   */
  | { kind: 'hub'; dataset: RealDatasetKind; id: string; hubUrl: string };

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
  /** indices.length × height × width labels, when the dataset has masks (segmentation scenes). */
  masks?: Uint8Array;
  classNames: string[];
}
