import { describe, expect, it } from 'vitest';
import {
  decimate,
  emaSmooth,
  formatCount,
  formatDuration,
  formatMacs,
  formatNumber,
  formatPercent,
  formatSegmentationScores,
  histogram,
} from './format';

describe('format', () => {
  it('counts and multiply-adds', () => {
    expect(formatCount(701_466)).toBe('0.70 M');
    expect(formatCount(25_557_032)).toBe('25.56 M');
    expect(formatCount(19_900)).toBe('19.9 k');
    expect(formatCount(12)).toBe('12');
    expect(formatMacs(35_600_000)).toBe('35.6 M');
    expect(formatMacs(4_090_000_000)).toBe('4.09 G');
  });

  it('durations', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });

  it('percent and numbers', () => {
    expect(formatPercent(0.8125)).toBe('81.3%');
    expect(formatPercent(null)).toBe('—');
    expect(formatSegmentationScores({ pixelAccuracy: 0.8512, mIoU: 0.4137 })).toBe(
      'pixel acc. 85.1% · mIoU 41.4%',
    );
    expect(formatSegmentationScores({ pixelAccuracy: 0.5 })).toBe('pixel acc. 50.0% · mIoU —');
    expect(formatSegmentationScores(undefined)).toBe('pixel acc. — · mIoU —');
    expect(formatNumber(0.1)).toBe('0.1');
    expect(formatNumber(0.000012)).toBe('1.20e-5');
    expect(formatNumber(0)).toBe('0');
  });

  it('EMA smoothing is bias-corrected and skips non-finite values', () => {
    expect(emaSmooth([2, 2, 2], 0.9)).toEqual([2, 2, 2].map(() => expect.closeTo(2, 10)));
    const s = emaSmooth([1, NaN, 3], 0.5);
    expect(s[1]).toBe(s[0]);
    expect(s[2]).toBeGreaterThan(1);
  });

  it('decimate keeps the last point and the limit', () => {
    const items = Array.from({ length: 1001 }, (_, i) => i);
    const d = decimate(items, 100);
    expect(d.length).toBeLessThanOrEqual(102);
    expect(d.at(-1)).toBe(1000);
    expect(decimate([1, 2], 10)).toEqual([1, 2]);
  });

  it('histogram counts every finite value', () => {
    const bins = histogram([0, 1, 2, 3, Infinity, NaN], 3);
    expect(bins).toHaveLength(3);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(4);
    expect(histogram([5, 5], 4).reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(histogram([], 4)).toEqual([]);
  });
});
