import type { BenchmarkSettings } from './settings';

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
