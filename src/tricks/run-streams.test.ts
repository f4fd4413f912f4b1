import { describe, expect, it } from 'vitest';
import { epochStreams } from './run-streams';

describe('epochStreams', () => {
  it('depend only on (seed, epoch): a resumed epoch draws what the first attempt drew', () => {
    const a = epochStreams(7, 3);
    const b = epochStreams(7, 3);
    expect(Array.from(a.shuffle.permutation(50))).toEqual(Array.from(b.shuffle.permutation(50)));
    expect(a.augment.next()).toBe(b.augment.next());
    expect(a.mixup.next()).toBe(b.mixup.next());
  });

  it('differ between epochs, seeds and streams', () => {
    const draws = new Set<number>();
    for (const seed of [0, 1, 2, 2147483647]) {
      for (const epoch of [1, 2, 3, 100]) {
        const s = epochStreams(seed, epoch);
        draws.add(s.shuffle.next());
        draws.add(s.augment.next());
        draws.add(s.mixup.next());
      }
    }
    expect(draws.size).toBe(4 * 4 * 3);
  });
});
