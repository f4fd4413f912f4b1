import { createRng, type Rng } from './random';

/**
 * The random streams of one training epoch (shuffle order, augmentation, mixup λ), derived from
 * the seed and the epoch number alone. A run resumed at an epoch boundary (after a divergence, a
 * lost GPU or a reload) therefore draws exactly what an uninterrupted run would have drawn, and a
 * checkpoint needs no generator state.
 */
export interface EpochStreams {
  shuffle: Rng;
  augment: Rng;
  mixup: Rng;
}

/** A 32-bit mix of (seed, epoch): distinct pairs give unrelated generators. */
function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1);
  h = (h ^ Math.imul(epoch + 0x632be5ab, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** `epoch` is 1-based, as the trainer counts. */
export function epochStreams(seed: number, epoch: number): EpochStreams {
  const root = createRng(epochSeed(seed, epoch));
  return { shuffle: root.fork(), augment: root.fork(), mixup: root.fork() };
}
