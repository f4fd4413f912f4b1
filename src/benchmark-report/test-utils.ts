import type { LayerTuning, RooflinePeaks } from './report';
import type { BenchmarkSettings } from './settings';

/** The keys of a complete JSON report, in their order (docs/benchmark.md). */
export const REPORT_KEYS = [
  'adapter',
  'kernels',
  'rows',
  'peakGflops',
  'peakGBps',
  'peakFmaDispatchMs',
  'peakCopyDispatchMs',
  'convGflops',
  'layers',
  'tuningMs',
  'tuningTimer',
  'ratios',
  'complete',
];

/** The smallest run the panel allows: one network at width 1/16, batch 4, one timed step. */
export const SMALLEST_SETTINGS: BenchmarkSettings = {
  resnet18: true,
  resnet50: false,
  batch32: false,
  batch128: false,
  customBatch: '4',
  width: '0.0625',
  warmupSteps: '0',
  timedSteps: '1',
  leakStep: '',
  f16: false,
  kernels: 'auto',
};

/** One tuned layer: a 3×3 filter gradient at batch 4, direct timed at 1 ms (1.18 GFLOP/s). */
export const ONE_LAYER_TUNING: LayerTuning = {
  layers: [
    {
      op: 'filterGrad',
      shape: '3×3/1 p1, 4→4 @32×32, batch 4',
      candidates: [{ id: 'direct', family: 'direct', ms: 1, gflops: 1.179648, gbps: 0.5 }],
      chosen: 'direct',
    },
  ],
  ms: 900,
  timer: 'wall clock',
};

/** Roofline peaks of `gflops` GFLOP/s and 20 GB/s, each from a 25 ms dispatch. */
export function testPeaks(gflops: number): RooflinePeaks {
  return { gflops, gbps: 20, fmaDispatchMs: 25, copyDispatchMs: 25 };
}
