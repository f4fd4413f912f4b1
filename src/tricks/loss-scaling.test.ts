import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOSS_SCALE,
  initialLossScaleState,
  nextLossScaleState,
  type LossScaleOptions,
} from './loss-scaling';

const opts: LossScaleOptions = { initial: 1024, growthInterval: 3, min: 1, max: 4096 };

function run(flags: boolean[], options = opts) {
  let s = initialLossScaleState(options);
  const scales: number[] = [];
  for (const f of flags) {
    s = nextLossScaleState(s, f, options);
    scales.push(s.scale);
  }
  return { final: s, scales };
}

describe('dynamic loss scaling', () => {
  it('starts at 2^16 by default', () => {
    expect(initialLossScaleState()).toEqual({ scale: 65536, cleanSteps: 0, skipped: 0 });
    expect(DEFAULT_LOSS_SCALE.growthInterval).toBeGreaterThan(1);
  });

  it('halves and counts a skipped step on overflow', () => {
    const { final, scales } = run([true, true]);
    expect(scales).toEqual([512, 256]);
    expect(final.skipped).toBe(2);
  });

  it('doubles after growthInterval clean steps in a row, and an overflow resets the run', () => {
    const { scales, final } = run([false, false, false, false, true, false, false, false]);
    expect(scales).toEqual([1024, 1024, 2048, 2048, 1024, 1024, 1024, 2048]);
    expect(final.skipped).toBe(1);
  });

  it('stays within [min, max]', () => {
    expect(run(Array(20).fill(true)).final.scale).toBe(1);
    expect(run(Array(30).fill(false)).final.scale).toBe(4096);
  });

  it('property: skipped counts overflows; scale is a power-of-two multiple of the start', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 60 }), (flags) => {
        const { final } = run(flags);
        expect(final.skipped).toBe(flags.filter(Boolean).length);
        expect(Number.isInteger(Math.log2(final.scale / opts.initial))).toBe(true);
        expect(final.scale).toBeGreaterThanOrEqual(opts.min);
        expect(final.scale).toBeLessThanOrEqual(opts.max);
        expect(final.cleanSteps).toBeLessThan(opts.growthInterval);
      }),
    );
  });

  it('rejects nonsense options', () => {
    expect(() => initialLossScaleState({ ...opts, initial: 0 })).toThrow();
    expect(() => initialLossScaleState({ ...opts, growthInterval: 0 })).toThrow();
    expect(() => initialLossScaleState({ ...opts, min: 10, max: 1 })).toThrow();
  });
});
