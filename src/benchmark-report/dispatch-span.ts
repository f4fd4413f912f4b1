/**
 * How large a peak measurement's one dispatch must be: a dispatch shorter than a few milliseconds
 * times the submit and completion latency (tens to hundreds of µs) as much as the work, and reads
 * low on a large GPU. Pure: the GPU side (src/engine/benchmark/peaks.ts) passes its timer.
 */

/** The shortest timed dispatch a peak is computed from. */
export const MIN_DISPATCH_MS = 20;

/** At most this many doublings: 2^24 × the starting work, far beyond any GPU of 2026. */
export const MAX_DOUBLINGS = 24;

export interface SizedDispatch {
  /** The work multiplier that spans at least `minMs` (or the last one tried). */
  scale: number;
  /** The best of the repeat timings at that scale, in milliseconds. */
  ms: number;
}

/**
 * Doubles `scale` from 1 until one timed dispatch (`time(scale)`, in ms) spans at least `minMs`,
 * then times that scale `repeats` more times and keeps the fastest (the run least disturbed by
 * other work); if the fastest falls under `minMs`, doubles again. Stops doubling at `maxScale`.
 */
export async function sizeDispatchToSpan(
  time: (scale: number) => Promise<number>,
  maxScale: number = 2 ** MAX_DOUBLINGS,
  minMs: number = MIN_DISPATCH_MS,
  repeats = 3,
): Promise<SizedDispatch> {
  for (let scale = 1; ; scale *= 2) {
    const last = scale * 2 > maxScale;
    let ms = await time(scale);
    if (ms < minMs && !last) continue;
    for (let r = 0; r < repeats; r++) ms = Math.min(ms, await time(scale));
    if (ms >= minMs || last) return { scale, ms };
  }
}
