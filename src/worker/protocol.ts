import type { ExperimentConfig } from '../config/params';

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
}

export type RunPhase =
  'idle' | 'preparing' | 'warmup' | 'training' | 'paused' | 'finished' | 'stopped' | 'failed';

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
  valLoss: number;
  top1: number;
  /** null when the dataset has 5 classes or fewer. */
  top5: number | null;
  /** Per validation image: max logit minus the mean of the other logits (paper Fig. 4b). */
  gaps: number[];
  meanGap: number;
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
  | { type: 'error'; message: string };

export type EventSink = (event: TrainerEvent) => void;

export interface TeacherInfo {
  runId: string;
  label: string;
  classes: number;
}

/** The worker's API, called from the UI through Comlink. */
export interface TrainerWorkerApi {
  /** Picks and initializes a backend (WebGPU, then WebGL, then CPU) and reports it. */
  init(onEvent: EventSink): Promise<BackendInfo>;
  /** Trains a run to the end; resolves when it finishes, stops or fails. */
  start(runId: string, config: ExperimentConfig): Promise<void>;
  pause(): void;
  resume(): void;
  /** While paused: run exactly one more optimizer step, then stay paused. */
  step(): void;
  stop(): void;
  /** Finished runs whose weights the worker holds, usable as distillation teachers. */
  teachers(): Promise<TeacherInfo[]>;
}
