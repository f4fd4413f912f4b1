import { describe, expect, it } from 'vitest';
import { MIN_DISPATCH_MS, sizeDispatchToSpan } from './dispatch-span';

describe('sizeDispatchToSpan', () => {
  it('doubles the work until one dispatch spans 20 ms, then keeps the fastest of 3 more', async () => {
    // 3 ms per unit of work, plus 1 ms of latency: scale 8 is the first at ≥ 20 ms (25 ms).
    const calls: number[] = [];
    const jitter = [0, 0, 0, 0, 2, 0.5, 1];
    const time = (scale: number) => {
      calls.push(scale);
      return Promise.resolve(1 + 3 * scale + jitter[calls.length - 1]!);
    };
    const sized = await sizeDispatchToSpan(time);
    expect(MIN_DISPATCH_MS).toBe(20);
    expect(calls).toEqual([1, 2, 4, 8, 8, 8, 8]);
    expect(sized).toEqual({ scale: 8, ms: 25 });
  });

  it('doubles again when the fastest of the repeats falls under 20 ms', async () => {
    // Scale 8: 21 ms first, then a 19 ms repeat; scale 16 stays above.
    const times: Record<number, number[]> = { 1: [3], 2: [6], 4: [12], 8: [21, 19, 22, 23] };
    const calls: number[] = [];
    const sized = await sizeDispatchToSpan((scale) => {
      calls.push(scale);
      return Promise.resolve(times[scale]?.shift() ?? 40);
    });
    expect(calls).toEqual([1, 2, 4, 8, 8, 8, 8, 16, 16, 16, 16]);
    expect(sized).toEqual({ scale: 16, ms: 40 });
  });

  it('stops at the largest scale allowed, still timing it', async () => {
    const calls: number[] = [];
    const sized = await sizeDispatchToSpan((scale) => {
      calls.push(scale);
      return Promise.resolve(scale);
    }, 4);
    expect(calls).toEqual([1, 2, 4, 4, 4, 4]);
    expect(sized).toEqual({ scale: 4, ms: 4 });
  });

  it('times a dispatch that already spans the minimum at scale 1 without doubling', async () => {
    const sized = await sizeDispatchToSpan(() => Promise.resolve(30));
    expect(sized).toEqual({ scale: 1, ms: 30 });
  });
});
