import { createRng } from '../tricks/random';
import type { ImageSplit } from './dataset';

/** Fraction of the training images held out for validation when a dataset has no validation part. */
export const VALIDATION_FRACTION = 0.1;
/** The held-out split is drawn from this fixed seed, so every run on a dataset sees the same split. */
export const SPLIT_SEED = 0x5eed;

export function concatSplits(parts: readonly ImageSplit[], imageBytes: number): ImageSplit {
  const count = parts.reduce((n, p) => n + p.count, 0);
  if (parts.length === 1) return parts[0]!;
  const images = new Uint8Array(count * imageBytes);
  const labels = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images.subarray(0, p.count * imageBytes), at * imageBytes);
    labels.set(p.labels.subarray(0, p.count), at);
    at += p.count;
  }
  return { images, labels, count };
}

export function selectImages(
  split: ImageSplit,
  indices: ArrayLike<number>,
  imageBytes: number,
): ImageSplit {
  const images = new Uint8Array(indices.length * imageBytes);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    images.set(split.images.subarray(j * imageBytes, (j + 1) * imageBytes), i * imageBytes);
    labels[i] = split.labels[j]!;
  }
  return { images, labels, count: indices.length };
}

/**
 * Holds out VALIDATION_FRACTION of each class (at least one image of a class with two or more),
 * drawn from SPLIT_SEED. Indices keep their original order inside each part.
 */
export function seededSplitIndices(
  labels: ArrayLike<number>,
  count: number,
): { train: number[]; val: number[] } {
  const rng = createRng(SPLIT_SEED);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const heldOut = new Set<number>();
  for (const members of byClass.values()) {
    if (members.length < 2) continue;
    const take = Math.max(1, Math.round(members.length * VALIDATION_FRACTION));
    const order = rng.permutation(members.length);
    for (let k = 0; k < take; k++) heldOut.add(members[order[k]!]!);
  }
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < count; i++) (heldOut.has(i) ? val : train).push(i);
  return { train, val };
}

export function seededSplit(
  split: ImageSplit,
  imageBytes: number,
): { train: ImageSplit; val: ImageSplit } {
  const { train, val } = seededSplitIndices(split.labels, split.count);
  return {
    train: selectImages(split, train, imageBytes),
    val: selectImages(split, val, imageBytes),
  };
}
