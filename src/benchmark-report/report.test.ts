import { describe, expect, it } from 'vitest';
import {
  assemblePartialReport,
  assembleReport,
  computeRatios,
  epochSeconds,
  formatLayersTable,
  formatMs,
  formatReportTable,
  imagesPerSecond,
  lossScaleCell,
  peaksLine,
  median,
  ratio,
  syncCell,
  tuningCell,
  type BenchRow,
  type LayerTuning,
  type Measurements,
} from './report';
import { REPORT_KEYS, testPeaks } from './test-utils';

const row = (
  name: BenchRow['name'],
  batch: number,
  imgPerSec: number,
  firstStepMs: number,
): BenchRow => ({
  name,
  model: 'resnet18-style',
  batch,
  kernels: name === 'tf.layers' ? 'tfjs' : 'auto',
  imgPerSec,
  imgPerSecSync: name === 'tf.layers' ? imgPerSec : imgPerSec / 2,
  firstStepMs,
  firstStepTuning: name === 'tf.layers' ? 'none' : 'cached',
  firstStepTuningMs: name === 'tf.layers' ? 0 : 12,
  tensorsAt1: 10,
  tensorsAtLeakStep: 10,
  gpuBytesAt1: 2048,
  gpuBytesAtLeakStep: 2048,
  // FP16 rows store activations as packed f16: a smaller peak.
  peakGpuBytes: name.startsWith('engine f16-storage/f16') ? 4096 : 8192,
  dispatchesPerStep: name === 'tf.layers' ? 1774 : 396,
  lossScale: name.startsWith('engine f16-storage/f16') ? 32768 : null,
  skippedSteps: name.startsWith('engine f16-storage/f16') ? 2 : null,
  stepProfile: null,
});

describe('median', () => {
  it('takes the middle value of an odd list, unsorted input', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
  it('averages the two middle values of an even list', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is robust to one outlier', () => {
    expect(median([10, 10, 10, 10, 1000])).toBe(10);
  });
  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(/empty/);
  });
  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('imagesPerSecond and ratio', () => {
  it('turns step milliseconds into images per second', () => {
    expect(imagesPerSecond(32, [1000, 500])).toEqual([32, 64]);
  });
  it('divides, and gives null for a missing or non-positive denominator', () => {
    expect(ratio(6, 2)).toBe(3);
    expect(ratio(6, 0)).toBeNull();
    expect(ratio(undefined, 2)).toBeNull();
    expect(ratio(6, null)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
  });
  it('gives the time per epoch', () => {
    expect(epochSeconds(100, 50_000)).toBe(500);
  });
});

/**
 * A 3×3/1 p1 4→4 forward at 32×32, batch 128: 128·32·32·4·9·4 = 18,874,368 multiply-adds,
 * 37,748,736 FLOPs; at 2 ms that is 18.874368 GFLOP/s, at 4 ms 9.437184.
 */
const tuning: LayerTuning = {
  layers: [
    {
      op: 'forward',
      shape: '3×3/1 p1, 4→4 @32×32, batch 128',
      candidates: [
        { id: 'direct', family: 'direct', ms: 2, gflops: 18.874368, gbps: 5 },
        { id: 'tiled-64x64', family: 'tiled', ms: 4, gflops: 9.437184, gbps: 2.5 },
        { id: 'tfjs', family: 'tfjs', ms: Number.NaN, gflops: Number.NaN, gbps: null },
      ],
      chosen: 'direct',
    },
  ],
  ms: 12_345,
  timer: 'wall clock',
};

const measured = (rows: BenchRow[], peak: number, conv: number): Measurements => ({
  adapter: 'test adapter',
  kernels: 'auto',
  rows,
  peaks: testPeaks(peak),
  convGflops: conv,
  tuning,
});

describe('assembleReport', () => {
  const rows = [
    row('tf.layers', 32, 50, 900),
    row('engine f32', 32, 70, 500),
    row('tf.layers', 128, 100, 2000),
    row('engine f32', 128, 300, 800),
    row('engine f16-storage/f16', 128, 450, 1200),
  ];

  it('has exactly the documented keys, in order', () => {
    const report = assembleReport(measured(rows, 1000, 400));
    expect(Object.keys(report)).toEqual(REPORT_KEYS);
    expect(report.complete).toBe(true);
    expect(report.kernels).toBe('auto');
    expect(Object.keys(report.rows[0]!)).toEqual([
      'name',
      'model',
      'batch',
      'kernels',
      'imgPerSec',
      'imgPerSecSync',
      'firstStepMs',
      'firstStepTuning',
      'firstStepTuningMs',
      'tensorsAt1',
      'tensorsAtLeakStep',
      'gpuBytesAt1',
      'gpuBytesAtLeakStep',
      'peakGpuBytes',
      'dispatchesPerStep',
      'lossScale',
      'skippedSteps',
      'stepProfile',
    ]);
    expect(Object.keys(report.layers![0]!)).toEqual(['op', 'shape', 'candidates', 'chosen']);
    expect(Object.keys(report.layers![0]!.candidates[0]!)).toEqual([
      'id',
      'family',
      'ms',
      'gflops',
      'gbps',
    ]);
    expect(report.tuningMs).toBe(12_345);
    expect(report.tuningTimer).toBe('wall clock');
    expect(Object.keys(report.ratios)).toEqual([
      'engineVsLayers',
      'f16VsF32',
      'firstStepVsLayers',
      'convFractionOfPeak',
      'fp16PeakVsF32',
    ]);
    expect(report.adapter).toBe('test adapter');
    expect(report.rows).toHaveLength(5);
  });

  it('writes a candidate that failed or was cut short (NaN) as null, and keeps the rest', () => {
    const report = assembleReport(measured(rows, 1000, 400));
    expect(report.layers![0]!.candidates).toEqual([
      { id: 'direct', family: 'direct', ms: 2, gflops: 18.874368, gbps: 5 },
      { id: 'tiled-64x64', family: 'tiled', ms: 4, gflops: 9.437184, gbps: 2.5 },
      { id: 'tfjs', family: 'tfjs', ms: null, gflops: null, gbps: null },
    ]);
    expect(JSON.stringify(report)).toContain(
      '"id":"tfjs","family":"tfjs","ms":null,"gflops":null,"gbps":null',
    );
  });

  it('has null layers and tuning time when the tuning was not measured', () => {
    const report = assembleReport({ ...measured(rows, 1000, 400), tuning: null });
    expect([report.layers, report.tuningMs, report.tuningTimer]).toEqual([null, null, null]);
  });

  it('computes the ratios on images/s (readback every few steps), not on sync images/s', () => {
    // engine f32 at 128: 300 img/s (sync 150); tf.layers 100: ×3, not ×1.5.
    expect(assembleReport(measured(rows, 1000, 400)).ratios.engineVsLayers).toBe(3);
  });

  it('computes the ratios for the ResNet-18-style network at batch 128', () => {
    const r = assembleReport(measured(rows, 1000, 400)).ratios;
    expect(r.engineVsLayers).toBe(3);
    expect(r.f16VsF32).toBe(1.5);
    expect(r.firstStepVsLayers).toBe(0.4);
    expect(r.convFractionOfPeak).toBe(0.4);
    // The FP16 row's peak GPU bytes (4096) ÷ engine f32's (8192).
    expect(r.fp16PeakVsF32).toBe(0.5);
  });

  it('takes the FP16 memory ratio from engine f16-storage/f32 where there is no engine f16-storage/f16 row', () => {
    const storageOnly = [
      ...rows.filter((r) => r.name !== 'engine f16-storage/f16'),
      { ...row('engine f16-storage/f32', 128, 200, 1500), peakGpuBytes: 2048 },
    ];
    const r = computeRatios(storageOnly, 1000, 400);
    expect(r.f16VsF32).toBeNull();
    expect(r.fp16PeakVsF32).toBe(0.25);
  });

  it('gives null ratios when a row is missing', () => {
    const r = computeRatios(rows.slice(0, 2), 1000, 400);
    expect(r.engineVsLayers).toBeNull();
    expect(r.f16VsF32).toBeNull();
    expect(r.fp16PeakVsF32).toBeNull();
    expect(r.convFractionOfPeak).toBe(0.4);
  });

  it('ignores rows of the other model', () => {
    const other = rows.map((r) => ({ ...r, model: 'resnet50-style' as const, imgPerSec: 1 }));
    expect(computeRatios([...other, ...rows], 1, 1).engineVsLayers).toBe(3);
  });

  it('prints n/a for a peak a partial report lacks', () => {
    const partial = assemblePartialReport(
      {
        adapter: 'a',
        kernels: 'auto',
        rows: [],
        peaks: null,
        convGflops: null,
        tuning: null,
        reason: 'stopped by the user',
      },
      'resnet18-style',
      128,
    );
    expect(formatReportTable(partial, 23)).toContain('peaks: not measured; largest conv n/a');
    expect(formatLayersTable(partial, 'resnet18-style')).toBeNull();
    expect(Object.keys(partial).slice(-2)).toEqual(['complete', 'reason']);
  });

  it('prints one table line per row, both images/s figures, the tuning and the ratios', () => {
    const text = formatReportTable(assembleReport(measured(rows, 1000, 400)), 200);
    expect(text).toContain('@200');
    expect(text).toContain('engine/layers ×3.00');
    expect(text).toContain('conv/peak 40.0%');
    const f32 = text.split('\n').filter((l) => l.startsWith('engine f32'));
    expect(f32).toHaveLength(2);
    // 300 img/s, sync 150, first step 800 ms of which the tuner read the cache.
    expect(f32[1]).toMatch(/ auto +300\.0 +150\.0 +800 cached /);
    expect(text.split('\n').find((l) => l.startsWith('tf.layers'))).toMatch(
      / tfjs +50\.0 +50\.0 \(same\) +900 - /,
    );
    expect(text).toContain('loss read back every 10 steps');
    // Dispatches per step, and the FP16 row's loss scale after its last step.
    expect(text.split('\n').find((l) => l.startsWith('engine f16-storage/f16'))).toMatch(
      / 396 +32768 \(2 skipped\)$/,
    );
    expect(text).toContain(
      'FMA peak 1000.0 GFLOP/s (one 25.0 ms dispatch), copy peak 20.0 GB/s (one 25.0 ms dispatch)',
    );
  });
});

describe('the loss-scale and peaks cells', () => {
  it('shows an FP16 row’s final scale and skipped updates, and a dash for the others', () => {
    expect(lossScaleCell({ lossScale: 1024, skippedSteps: 3 })).toBe('1024 (3 skipped)');
    expect(lossScaleCell({ lossScale: null, skippedSteps: null })).toBe('-');
  });

  it('names each peak with the length of the dispatch it comes from', () => {
    expect(
      peaksLine({
        peakGflops: 48.61,
        peakGBps: 4.52,
        peakFmaDispatchMs: 22.1,
        peakCopyDispatchMs: 30.04,
      }),
    ).toBe(
      'FMA peak 48.6 GFLOP/s (one 22.1 ms dispatch), copy peak 4.5 GB/s (one 30.0 ms dispatch)',
    );
    expect(
      peaksLine({
        peakGflops: null,
        peakGBps: null,
        peakFmaDispatchMs: null,
        peakCopyDispatchMs: null,
      }),
    ).toBe('peaks: not measured');
  });
});

describe('the first-step and sync cells', () => {
  it('says how the first step tuned', () => {
    expect(tuningCell({ firstStepTuning: 'tuned', firstStepTuningMs: 12_345 })).toBe(
      'tuned 12.3 s',
    );
    expect(tuningCell({ firstStepTuning: 'cached', firstStepTuningMs: 4 })).toBe('cached');
    expect(tuningCell({ firstStepTuning: 'none', firstStepTuningMs: 0 })).toBe('-');
  });

  it('labels tf.layers’ sync figure as the same measurement', () => {
    expect(syncCell({ name: 'tf.layers', imgPerSecSync: 33.84 })).toBe('33.8 (same)');
    expect(syncCell({ name: 'engine f32', imgPerSecSync: 268.61 })).toBe('268.6');
  });
});

describe('formatLayersTable', () => {
  it('lists every candidate per op and shape, marks the chosen one, and says what — means', () => {
    // Peaks: 100 GFLOP/s and 20 GB/s.
    const text = formatLayersTable(assembleReport(measured([], 100, 1)), 'resnet18-style')!;
    const lines = text.split('\n');
    expect(lines[0]).toContain('per-layer kernels of resnet18-style, f32');
    expect(lines[0]).toContain('wall clock, 12.3 s in all');
    expect(lines[0]).toContain('* = the kernel --kernels auto runs');
    expect(lines[3]).toMatch(
      /^forward +3×3\/1 p1, 4→4 @32×32, batch 128 +\* direct +2\.00 +18\.9 +5\.0 +19% +25%$/,
    );
    expect(lines[4]).toMatch(/^ +tiled-64x64 +4\.00 +9\.4 +2\.5 +9% +13%$/);
    expect(lines[5]).toMatch(/^ +tfjs +— +— +— +— +—$/);
    expect(lines).toHaveLength(6);
  });

  it('still names a forced kernel that was not among the timed candidates', () => {
    const forced = {
      ...tuning,
      layers: [
        {
          ...tuning.layers[0]!,
          candidates: tuning.layers[0]!.candidates.slice(0, 2),
          chosen: 'tfjs',
        },
      ],
    };
    const report = assembleReport({ ...measured([], 1, 1), kernels: 'tfjs', tuning: forced });
    const lines = formatLayersTable(report, 'resnet18-style')!.split('\n');
    expect(lines[0]).toContain('--kernels tfjs');
    expect(lines.at(-1)).toMatch(/^ +\* tfjs +untimed$/);
    expect(lines.filter((l) => l.includes('*'))).toHaveLength(2);
  });

  it('writes milliseconds with about three significant digits', () => {
    expect([0.01234, 1.234, 12.34, 123.4, null].map(formatMs)).toEqual([
      '0.012',
      '1.23',
      '12.3',
      '123',
      '—',
    ]);
  });
});
