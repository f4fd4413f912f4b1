import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config';
import type { ImageDataset } from '../data/dataset';
import { NORMALIZE_MEAN, NORMALIZE_STD } from '../tricks';
import { initNodeBackend } from './backend-node';
import { preprocessBatch, validationAugmentation } from './preprocess';
import { augmentedPreview } from './preview';

beforeAll(async () => {
  await initNodeBackend();
});

/** Each image one solid colour that encodes its index. */
function solidDataset(count: number, side: number): ImageDataset {
  const images = new Uint8Array(count * side * side * 3);
  for (let i = 0; i < count; i++)
    for (let p = 0; p < side * side; p++)
      images.set([i * 10, 255 - i * 10, 100], (i * side * side + p) * 3);
  const split = { images, labels: Int32Array.from({ length: count }, (_, i) => i % 2), count };
  return {
    name: 'solid',
    classNames: ['a', 'b'],
    height: side,
    width: side,
    train: split,
    val: split,
  };
}

describe('augmentation preview', () => {
  it('returns one batch at the input size in [0, 255], before normalization', async () => {
    const dataset = solidDataset(12, 20);
    const config = {
      ...DEFAULT_CONFIG,
      input: 16,
      crop: false,
      flip: false,
      jitter: false,
      pca: false,
    };
    const before = tf.memory().numTensors;
    const { pixels, labels, size } = await augmentedPreview(dataset, config, 8, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(size).toBe(16);
    expect(pixels.length).toBe(8 * 16 * 16 * 3);
    // Without augmentation a solid image stays exactly its colour.
    for (let i = 0; i < 8; i++) {
      const r = pixels[i * 16 * 16 * 3]!;
      expect(r % 10).toBe(0);
      expect(Array.from(pixels.subarray(i * 768, i * 768 + 3))).toEqual([r, 255 - r, 100]);
      expect(labels[i]).toBe((r / 10) % 2);
    }
    const jittered = await augmentedPreview(dataset, { ...config, jitter: true, pca: true }, 8, 1);
    expect(jittered.pixels.some((v, k) => v !== pixels[k])).toBe(true);
    expect(jittered.pixels.every((v) => v >= 0 && v <= 255)).toBe(true);
  });

  it('normalization maps mean ± std to ∓1/±1: mean 0 and std 1 per channel', async () => {
    const side = 4;
    const count = 8;
    const pixels = new Float32Array(count * side * side * 3);
    for (let i = 0; i < count; i++)
      for (let p = 0; p < side * side; p++)
        for (let c = 0; c < 3; c++)
          pixels[(i * side * side + p) * 3 + c] =
            NORMALIZE_MEAN[c]! + (i % 2 ? 1 : -1) * NORMALIZE_STD[c]!;
    const out = preprocessBatch(
      pixels,
      count,
      side,
      side,
      validationAugmentation(count, side, side),
      side,
    );
    const { mean, variance } = tf.moments(out, [0, 1, 2]);
    const [m, v] = await Promise.all([mean.data(), variance.data()]);
    for (let c = 0; c < 3; c++) {
      expect(m[c]).toBeCloseTo(0, 4);
      expect(Math.sqrt(v[c]!)).toBeCloseTo(1, 4);
    }
    tf.dispose([out, mean, variance]);
  });
});
