import { describe, expect, it } from 'vitest';
import { STOPPED_BY_USER } from '../../benchmark-report/derive';
import {
  assembleReport,
  type BenchModel,
  type BenchRow,
  type LargestConv,
} from '../../benchmark-report/report';
import type { BenchmarkOutcome, BenchmarkRequest } from '../../worker/protocol';
import { ONE_LAYER_TUNING, testPeaks } from '../../benchmark-report/test-utils';
import { shownReport, tuningOf } from './benchmark-shown';

const row = (name: BenchRow['name'], model: BenchModel, batch: number): BenchRow => ({
  name,
  model,
  batch,
  kernels: name === 'tf.layers' ? 'tfjs' : 'auto',
  imgPerSec: 100,
  imgPerSecSync: 100,
  firstStepMs: 1000,
  firstStepTuning: 'none',
  firstStepTuningMs: 0,
  tensorsAt1: 100,
  tensorsAtLeakStep: 100,
  gpuBytesAt1: 4096,
  gpuBytesAtLeakStep: 4096,
  peakGpuBytes: 8192,
  dispatchesPerStep: 300,
  lossScale: null,
  skippedSteps: null,
  stepProfile: null,
});

const tuning = ONE_LAYER_TUNING;

const largestConv: LargestConv = { name: 'conv1', shape: '3×3', kernel: 'direct', gflops: 5 };

const request: BenchmarkRequest = {
  models: ['resnet18-style', 'resnet50-style'],
  batches: [32, 128],
  width: 0.25,
  warmupSteps: 2,
  timedSteps: 20,
  leakStep: 200,
  f16: false,
  kernels: 'tiled',
};

const ended = (
  status: 'stopped' | 'failed',
  rows: BenchRow[],
  peakGflops: number | null,
  extra: Partial<Extract<BenchmarkOutcome, { status: 'stopped' | 'failed' }>> = {},
): BenchmarkOutcome => ({
  status,
  message: 'ended',
  adapter: 'test adapter',
  rows,
  peaks: peakGflops === null ? null : testPeaks(peakGflops),
  largestConv: null,
  seconds: 1,
  ...extra,
});

const finished = (withTuning: boolean): BenchmarkOutcome => ({
  status: 'finished',
  report: assembleReport({
    adapter: 'test adapter',
    kernels: 'auto',
    rows: [row('tf.layers', 'resnet18-style', 32), row('engine f32', 'resnet18-style', 32)],
    peaks: testPeaks(50),
    convGflops: 5,
    tuning: withTuning ? tuning : null,
  }),
  leakStep: 200,
  largestConv,
  seconds: 10,
});

describe('shownReport', () => {
  it('shows a finished report with its ratios at the measured basis', () => {
    const shown = shownReport(finished(true), request);
    expect(shown?.report.complete).toBe(true);
    expect(shown?.basis).toEqual({ model: 'resnet18-style', batch: 32 });
    expect(shown?.largestConv).toBe(largestConv);
  });

  it('shows nothing for a run that ended before measuring anything', () => {
    expect(shownReport(ended('stopped', [], null), request)).toBeNull();
  });

  it('marks a stopped run partial, stopped by the user, at the planned basis', () => {
    const shown = shownReport(
      ended('stopped', [row('tf.layers', 'resnet18-style', 32)], 50),
      request,
    );
    expect(shown?.report.complete).toBe(false);
    expect(shown?.report.reason).toBe(STOPPED_BY_USER);
    expect(shown?.report.kernels).toBe('tiled');
    expect(shown?.basis).toEqual({ model: 'resnet18-style', batch: 128 });
  });

  it('gives a failed run its message as the reason, and the measured basis without a request', () => {
    const shown = shownReport(
      ended('failed', [row('tf.layers', 'resnet50-style', 32)], null),
      null,
    );
    expect(shown?.report.reason).toBe('ended');
    expect(shown?.report.kernels).toBe('auto');
    expect(shown?.basis).toEqual({ model: 'resnet50-style', batch: 32 });
  });
});

describe('tuningOf', () => {
  it('rebuilds the tuning of a finished report', () => {
    expect(tuningOf(finished(true))).toEqual(tuning);
  });

  it('is null when a finished report has no per-layer timings', () => {
    expect(tuningOf(finished(false))).toBeNull();
  });

  it('is the tuning a stopped run had, or null without one', () => {
    expect(tuningOf(ended('stopped', [], 50, { tuning }))).toBe(tuning);
    expect(tuningOf(ended('stopped', [], 50))).toBeNull();
  });
});
