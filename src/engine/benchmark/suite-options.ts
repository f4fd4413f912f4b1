import type { AdapterIdentity, KernelSetting } from '../../tuning-plan/plan';
import type {
  BenchRow,
  LargestConv,
  LayerTuning,
  RooflinePeaks,
} from '../../benchmark-report/report';
import { minimumLeakStep } from '../../benchmark-report/settings';
import type { TuningCacheStore } from '../autotune/tuner';
import type { BenchModelConfig } from './bench-models';

/** What a benchmark run measures and whom it tells as it goes. */

export interface SuiteOptions {
  models: BenchModelConfig[];
  batches: number[];
  /** Steps after step 1 that are run but not timed. */
  warmupSteps: number;
  /**
   * Timed steps (≥ 1). An engine row runs them twice: with a batched readback (img/s: total time
   * ÷ images), then with a readback per step (sync img/s: the median step); tf.layers once.
   */
  timedSteps: number;
  /** The step after which tensors and GPU bytes are read a second time (≥ minimumLeakStep). */
  leakStep: number;
  /**
   * Run the FP16 rows (default true): 'engine f16-storage/f32' on every adapter, and 'engine f16-storage/f16'
   * where the device has shader-f16.
   */
  f16?: boolean;
  /** Convolution kernels of the engine rows: 'auto' (default) tunes per shape, else one family. */
  kernels?: KernelSetting;
  /** The adapter, which keys the tuning cache. */
  adapter: AdapterIdentity;
  /**
   * Where tuned kernel choices persist: the per-layer measurement saves into it and each engine
   * row's first step reads it. None: every engine row times its candidates in its first step.
   */
  tuningCache?: TuningCacheStore | null;
  /** The per-layer tuning times every candidate to the end (TuneOptions.timeEveryCandidate). */
  timeEveryCandidate?: boolean;
  onProgress?: (message: string) => void;
  /** Called once the peaks are measured (before any row), so a stopped run still has them. */
  onPeaks?: (peaks: RooflinePeaks) => void;
  /** Called once the ratio network's convolutions are tuned (before any row). */
  onLayers?: (tuning: LayerTuning) => void;
  /** Called once the largest convolution is timed (before any row). */
  onLargestConv?: (conv: LargestConv) => void;
  /** Called as each row is measured (the page shows rows as they come). */
  onRow?: (row: BenchRow) => void;
  /** Checked before every step: once aborted, the suite rejects with the signal's reason. */
  signal?: AbortSignal;
}

export function validateSuiteOptions(options: SuiteOptions): void {
  if (options.models.length === 0 || options.batches.length === 0) {
    throw new Error('benchmark: need at least one model and one batch size');
  }
  if (!(options.timedSteps >= 1) || !(options.warmupSteps >= 0)) {
    throw new Error('benchmark: need timed steps ≥ 1 and warm-up steps ≥ 0');
  }
  const needed = minimumLeakStep(options.warmupSteps, options.timedSteps);
  if (!(options.leakStep >= needed)) {
    throw new Error(
      `benchmark: the leak-check step must be ≥ ${needed} (1 + warm-up + 2 × timed steps)`,
    );
  }
}

/** Tuner progress in words, e.g. "tuning kernels, timing 3 of 24 convolution ops". */
export function tuningProgress(prefix: string, onProgress: SuiteOptions['onProgress']) {
  return (done: number, total: number, stage: 'compiling' | 'timing') => {
    if (total === 0) return;
    const what = stage === 'compiling' ? 'candidate shaders compiled' : 'convolution ops timed';
    onProgress?.(`${prefix}tuning kernels: ${done} of ${total} ${what}`);
  };
}
