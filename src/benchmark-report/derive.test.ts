import { describe, expect, it } from 'vitest';
import {
  checkTargets,
  describeBenchmarkFailure,
  isCpuAdapter,
  epochTimes,
  grownRows,
  partialReportOf,
  plannedBasis,
  ratioBasis,
  reportAtBasis,
  reportJson,
  STOPPED_BY_USER,
  table3,
} from './derive';
import {
  assembleReport,
  type BenchModel,
  type BenchRow,
  type BenchVariant,
  type Measurements,
} from './report';
import { ONE_LAYER_TUNING, REPORT_KEYS, testPeaks } from './test-utils';

const row = (
  name: BenchVariant,
  model: BenchModel,
  batch: number,
  imgPerSec: number,
  firstStepMs = 1000,
): BenchRow => ({
  name,
  model,
  batch,
  kernels: name === 'tf.layers' ? 'tfjs' : 'auto',
  imgPerSec,
  // The sync figure is never what ratios or epoch times use: a tenth, to tell them apart.
  imgPerSecSync: name === 'tf.layers' ? imgPerSec : imgPerSec / 10,
  firstStepMs,
  firstStepTuning: name === 'tf.layers' ? 'none' : 'cached',
  firstStepTuningMs: 0,
  tensorsAt1: 100,
  tensorsAtLeakStep: 100,
  gpuBytesAt1: 4096,
  gpuBytesAtLeakStep: 4096,
  peakGpuBytes: name.startsWith('engine f16-storage/f16') ? 5000 : 10000,
  dispatchesPerStep: name === 'tf.layers' ? 1774 : 396,
  lossScale: name.startsWith('engine f16-storage/f16') ? 65536 : null,
  skippedSteps: name.startsWith('engine f16-storage/f16') ? 0 : null,
  stepProfile: null,
});

const tuning = ONE_LAYER_TUNING;

/** A complete run's measurements: adapter 'a', kernels auto, no tuning unless given. */
const measured = (
  rows: BenchRow[],
  peakGflops: number,
  convGflops: number,
  extra: Partial<Measurements> = {},
): Measurements => ({
  adapter: 'a',
  kernels: 'auto',
  rows,
  peaks: testPeaks(peakGflops),
  convGflops,
  tuning: null,
  ...extra,
});

/** A stopped or failed run's: the same with the reason. */
const partial = (
  rows: BenchRow[],
  peakGflops: number | null,
  convGflops: number | null,
  reason: string,
  extra: Partial<Measurements> = {},
) => ({
  ...measured(rows, 0, 0, extra),
  peaks: peakGflops === null ? null : testPeaks(peakGflops),
  convGflops,
  reason,
});

describe('ratioBasis', () => {
  it('is ResNet-18-style at batch 128 when measured', () => {
    const rows = [
      row('tf.layers', 'resnet50-style', 128, 1),
      row('tf.layers', 'resnet18-style', 128, 1),
    ];
    expect(ratioBasis(rows)).toEqual({ model: 'resnet18-style', batch: 128 });
  });
  it('falls back to the largest batch, then to the first network', () => {
    expect(
      ratioBasis([
        row('tf.layers', 'resnet18-style', 4, 1),
        row('tf.layers', 'resnet18-style', 32, 1),
      ]),
    ).toEqual({ model: 'resnet18-style', batch: 32 });
    expect(
      ratioBasis([
        row('tf.layers', 'resnet50-style', 32, 1),
        row('tf.layers', 'resnet50-style', 128, 1),
      ]),
    ).toEqual({ model: 'resnet50-style', batch: 128 });
    expect(ratioBasis([])).toBeNull();
  });
});

describe('reportAtBasis', () => {
  it('computes the ratios at batch 4 when only batch 4 was measured', () => {
    const rows = [
      row('tf.layers', 'resnet18-style', 4, 10, 8000),
      row('engine f32', 'resnet18-style', 4, 25, 2000),
    ];
    const report = assembleReport(measured(rows, 20, 5, { adapter: 'llvmpipe' }));
    expect(report.ratios.engineVsLayers).toBeNull();
    const at = reportAtBasis(report);
    expect(at.ratios).toEqual({
      engineVsLayers: 2.5,
      f16VsF32: null,
      firstStepVsLayers: 0.25,
      convFractionOfPeak: 0.25,
      fp16PeakVsF32: null,
    });
    expect(at.rows).toBe(report.rows);
  });

  it('writes the JSON of npm run bench --json (two-space indent, trailing newline, same keys)', () => {
    const report = assembleReport(measured([row('tf.layers', 'resnet18-style', 128, 1)], 1, 1));
    const json = reportJson(report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(json))).toEqual(REPORT_KEYS);
    expect(JSON.parse(json).complete).toBe(true);
    expect(json).toContain('\n  "adapter": "a",');
  });
});

describe('plannedBasis', () => {
  it('is the basis the complete run would have: ResNet-18-style at 128, else largest batch', () => {
    expect(plannedBasis(['resnet50-style', 'resnet18-style'], [32, 128])).toEqual({
      model: 'resnet18-style',
      batch: 128,
    });
    expect(plannedBasis(['resnet50-style'], [4, 32])).toEqual({
      model: 'resnet50-style',
      batch: 32,
    });
    expect(plannedBasis([], [32])).toBeNull();
    expect(plannedBasis(['resnet18-style'], [])).toBeNull();
  });
});

describe('partialReportOf', () => {
  const plan = { models: ['resnet18-style', 'resnet50-style'] as BenchModel[], batches: [32, 128] };

  it('keeps the peak and conv, takes ratios at the planned basis, and says why it is partial', () => {
    // Stopped during batch 128: tf.layers at 128 measured, engine f32 at 128 not.
    const rows = [
      row('tf.layers', 'resnet18-style', 32, 10, 8000),
      row('engine f32', 'resnet18-style', 32, 40, 2000),
      row('tf.layers', 'resnet18-style', 128, 12, 9000),
    ];
    const report = partialReportOf(
      partial(rows, 50, 10, STOPPED_BY_USER, { adapter: 'llvmpipe', kernels: 'tiled', tuning }),
      plan,
    );
    // Batch 128 is the planned basis: engine/layers needs engine f32 at 128, so not measured
    // (batch 32's ×4 is not substituted); conv/peak = 10 / 50 = 0.2.
    expect(report.ratios).toEqual({
      engineVsLayers: null,
      f16VsF32: null,
      firstStepVsLayers: null,
      convFractionOfPeak: 0.2,
      fp16PeakVsF32: null,
    });
    expect(report.complete).toBe(false);
    expect(report.reason).toBe('stopped by the user');
    expect(report.rows).toHaveLength(3);
    const json = JSON.parse(reportJson(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([...REPORT_KEYS, 'reason']);
    expect(json.peakGflops).toBe(50);
    expect(json.complete).toBe(false);
    // The per-layer timings measured before the stop are kept, with the run's kernel setting.
    expect(json.kernels).toBe('tiled');
    expect(json.layers).toEqual(tuning.layers);
    expect(json.tuningMs).toBe(900);
  });

  it('gives the ratios whose rows exist at the basis', () => {
    const rows = [
      row('tf.layers', 'resnet18-style', 128, 10, 8000),
      row('engine f32', 'resnet18-style', 128, 35, 2000),
    ];
    const report = partialReportOf(partial(rows, 40, 18, 'out of memory'), plan);
    // 35 / 10 = 3.5; 2000 / 8000 = 0.25; 18 / 40 = 0.45; no f16 row.
    expect(report.ratios).toEqual({
      engineVsLayers: 3.5,
      f16VsF32: null,
      firstStepVsLayers: 0.25,
      convFractionOfPeak: 0.45,
      fp16PeakVsF32: null,
    });
    const checks = checkTargets(report);
    expect(checks.map((c) => [c.key, c.met])).toEqual([
      ['engineVsLayers', true],
      ['firstStepVsLayers', true],
      ['noGrowth', true],
      ['convFractionOfPeak', true],
      ['f16VsF32', null],
      ['fp16PeakVsF32', null],
    ]);
  });

  it('stopped before any row: the peak alone, every row ratio and row target not measured', () => {
    const report = partialReportOf(partial([], 40, null, STOPPED_BY_USER), plan);
    expect(report.peakGflops).toBe(40);
    expect(report.convGflops).toBeNull();
    expect(Object.values(report.ratios)).toEqual([null, null, null, null, null]);
    expect(checkTargets(report).map((c) => c.met)).toEqual([null, null, null, null, null, null]);
    expect(JSON.parse(reportJson(report))).toMatchObject({
      peakGflops: 40,
      convGflops: null,
      layers: null,
      tuningMs: null,
      complete: false,
      reason: 'stopped by the user',
    });
  });

  it('without a plan, takes the basis from the measured rows', () => {
    const rows = [
      row('tf.layers', 'resnet18-style', 4, 10, 8000),
      row('engine f32', 'resnet18-style', 4, 20, 2000),
    ];
    const report = partialReportOf(partial(rows, null, null, 'crashed'), null);
    expect(report.ratios.engineVsLayers).toBe(2);
    expect(report.ratios.convFractionOfPeak).toBeNull();
  });
});

describe('checkTargets', () => {
  it('says met or not met against the engine’s goals, null where unmeasured', () => {
    const rows = [
      row('tf.layers', 'resnet18-style', 128, 10, 8000),
      row('engine f32', 'resnet18-style', 128, 30, 4000),
      { ...row('engine f16-storage/f16', 'resnet18-style', 128, 45), gpuBytesAtLeakStep: 8192 },
    ];
    // conv 8 of peak 20 GFLOP/s = 40%: exactly the target.
    const checks = checkTargets(assembleReport(measured(rows, 20, 8)));
    expect(checks.map((c) => [c.key, c.value, c.met])).toEqual([
      ['engineVsLayers', 3, true],
      ['firstStepVsLayers', 0.5, true],
      ['noGrowth', 1, false],
      ['convFractionOfPeak', 0.4, true],
      ['f16VsF32', 1.5, false],
      // FP16 peak 5000 B ÷ f32 10000 B
      ['fp16PeakVsF32', 0.5, true],
    ]);
    const none = checkTargets(assembleReport(measured([], 0, 0)));
    expect(none.map((c) => c.met)).toEqual([null, null, null, null, null, null]);
  });

  it('counts growth of tensors or GPU bytes, not shrinkage', () => {
    const base = row('tf.layers', 'resnet18-style', 32, 1);
    expect(grownRows([base, { ...base, tensorsAtLeakStep: 99 }])).toEqual([]);
    expect(grownRows([{ ...base, tensorsAtLeakStep: 101 }])).toHaveLength(1);
  });
});

describe('time per epoch', () => {
  const rows = [
    row('tf.layers', 'resnet18-style', 32, 100),
    row('engine f32', 'resnet18-style', 32, 250),
    row('tf.layers', 'resnet18-style', 128, 125),
    row('engine f32', 'resnet18-style', 128, 400),
    row('engine f16-storage/f16', 'resnet18-style', 128, 500),
    row('engine f16-storage/f32', 'resnet18-style', 128, 200),
  ];

  it('divides the epoch by the measured images/s, per network and batch', () => {
    expect(epochTimes(rows, 50_000)).toEqual([
      {
        model: 'resnet18-style',
        batch: 32,
        seconds: {
          'tf.layers': 500,
          'engine f32': 200,
          'engine f16-storage/f16': null,
          'engine f16-storage/f32': null,
        },
        speedup: 2.5,
      },
      {
        model: 'resnet18-style',
        batch: 128,
        seconds: {
          'tf.layers': 400,
          'engine f32': 125,
          'engine f16-storage/f16': 100,
          'engine f16-storage/f32': 250,
        },
        speedup: 4,
      },
    ]);
  });

  it('Table 3: baseline tf.layers at the smallest batch vs the fastest engine setting', () => {
    expect(table3(rows, 50_000)).toEqual([
      {
        model: 'resnet18-style',
        baseline: { variant: 'tf.layers', batch: 32, seconds: 500 },
        efficient: { variant: 'engine f16-storage/f16', batch: 128, seconds: 100 },
        speedup: 5,
      },
    ]);
  });

  it('has no speed-up without both sides, and skips non-positive rates', () => {
    expect(table3([row('engine f32', 'resnet50-style', 32, 0)], 1000)).toEqual([
      { model: 'resnet50-style', baseline: null, efficient: null, speedup: null },
    ]);
    expect(epochTimes([row('tf.layers', 'resnet50-style', 32, 50)], 1000)[0]!.speedup).toBeNull();
  });
});

describe('describeBenchmarkFailure', () => {
  it('says what ran out of memory and what to change', () => {
    expect(
      describeBenchmarkFailure('Out of memory.', 'tf.layers resnet50-style batch 128: step 1/23'),
    ).toBe(
      'The GPU ran out of memory while tf.layers resnet50-style batch 128: step 1/23: Out of memory. ' +
        'Try a smaller width multiplier or batch size, or one network at a time.',
    );
  });
  it('passes other errors on with where they happened', () => {
    expect(describeBenchmarkFailure('boom happened', null)).toBe(
      'The benchmark failed: boom happened.',
    );
  });
});

describe('isCpuAdapter', () => {
  it('recognizes lavapipe and SwiftShader, not GPUs', () => {
    expect(isCpuAdapter('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isCpuAdapter('Google SwiftShader')).toBe(true);
    expect(isCpuAdapter('NVIDIA GeForce RTX 4090')).toBe(false);
  });
});
