import { describe, expect, it } from 'vitest';
import { makeRun } from '../experiments/fixtures';
import type { SavedRun } from '../experiments/saved-run';
import { overlaysOf } from './overlay-groups';

const colors = new Map(['r1', 'r2', 'r3', 'r4'].map((id, i) => [id, `#00000${i}`]));

describe('chart overlays of the compared runs', () => {
  const repeats = [makeRun('r1', { seed: 1 }), makeRun('r2', { seed: 2 })];
  const other = makeRun('r3', { cosine: true });

  it('draws two finished seeds of one setting as one mean series with its members', () => {
    const series = overlaysOf([...repeats, other], colors, 'r3');
    expect(series.map((s) => s.id)).toEqual(['r1+r2']);
    expect(series[0]!.members).toHaveLength(2);
    expect(series[0]!.color).toBe('#000000');
    expect(series[0]!.label).toBe('r1: r1 test run: mean of 2 seeds');
  });

  it('keeps the band when the shown run is one of its seeds; a lone shown run is not repeated', () => {
    const series = overlaysOf([...repeats, other], colors, 'r1');
    expect(series.map((s) => s.id)).toEqual(['r1+r2', 'r3']);
    expect(series[1]!.members).toBeUndefined();
  });

  it('draws seeds alone until two have finished', () => {
    const running: SavedRun = { ...makeRun('r2', { seed: 2 }), status: 'running' };
    const series = overlaysOf([repeats[0]!, running], colors, null);
    expect(series.map((s) => [s.id, s.members])).toEqual([
      ['r1', undefined],
      ['r2', undefined],
    ]);
  });
});
