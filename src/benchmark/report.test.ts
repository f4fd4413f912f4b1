import { describe, expect, it } from 'vitest';
import {
  assemblePartialReport,
  assembleReport,
  computeRatios,
  epochSeconds,
  formatReportTable,
  imagesPerSecond,
  median,
  ratio,
  type BenchRow,
} from './report';

const row = (
  name: BenchRow['name'],
  batch: number,
  imgPerSec: number,
  firstStepMs: number,
): BenchRow => ({
  name,
  model: 'resnet18-style',
  batch,
  imgPerSec,
  firstStepMs,
  tensorsAt1: 10,
  tensorsAt200: 10,
  gpuBytesAt1: 2048,
  gpuBytesAt200: 2048,
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

describe('assembleReport', () => {
  const rows = [
    row('tf.layers', 32, 50, 900),
    row('engine f32', 32, 70, 500),
    row('tf.layers', 128, 100, 2000),
    row('engine f32', 128, 300, 800),
    row('engine f16', 128, 450, 1200),
  ];

  it('has exactly the keys of the issue, in order', () => {
    const report = assembleReport('test adapter', rows, 1000, 400);
    expect(Object.keys(report)).toEqual([
      'adapter',
      'rows',
      'peakGflops',
      'convGflops',
      'ratios',
      'complete',
    ]);
    expect(report.complete).toBe(true);
    expect(Object.keys(report.rows[0]!)).toEqual([
      'name',
      'model',
      'batch',
      'imgPerSec',
      'firstStepMs',
      'tensorsAt1',
      'tensorsAt200',
      'gpuBytesAt1',
      'gpuBytesAt200',
    ]);
    expect(Object.keys(report.ratios)).toEqual([
      'engineVsLayers',
      'f16VsF32',
      'firstStepVsLayers',
      'convFractionOfPeak',
    ]);
    expect(report.adapter).toBe('test adapter');
    expect(report.rows).toHaveLength(5);
  });

  it('computes the ratios for the ResNet-18-style network at batch 128', () => {
    const r = assembleReport('a', rows, 1000, 400).ratios;
    expect(r.engineVsLayers).toBe(3);
    expect(r.f16VsF32).toBe(1.5);
    expect(r.firstStepVsLayers).toBe(0.4);
    expect(r.convFractionOfPeak).toBe(0.4);
  });

  it('gives null ratios when a row is missing', () => {
    const r = computeRatios(rows.slice(0, 2), 1000, 400);
    expect(r.engineVsLayers).toBeNull();
    expect(r.f16VsF32).toBeNull();
    expect(r.convFractionOfPeak).toBe(0.4);
  });

  it('ignores rows of the other model', () => {
    const other = rows.map((r) => ({ ...r, model: 'resnet50-style' as const, imgPerSec: 1 }));
    expect(computeRatios([...other, ...rows], 1, 1).engineVsLayers).toBe(3);
  });

  it('prints n/a for a peak a partial report lacks', () => {
    const partial = assemblePartialReport(
      { adapter: 'a', rows: [], peakGflops: null, convGflops: null, reason: 'stopped by the user' },
      'resnet18-style',
      128,
    );
    expect(formatReportTable(partial, 23)).toContain('FMA peak n/a GFLOP/s; largest conv n/a');
  });

  it('prints one table line per row and the ratios', () => {
    const text = formatReportTable(assembleReport('a', rows, 1000, 400), 200);
    expect(text).toContain('@200');
    expect(text).toContain('engine/layers ×3.00');
    expect(text).toContain('conv/peak 40.0%');
    expect(text.split('\n').filter((l) => l.startsWith('engine f32'))).toHaveLength(2);
  });
});
