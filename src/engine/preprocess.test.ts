import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createRng,
  hueMatrix,
  multiply3,
  NORMALIZE_MEAN,
  NORMALIZE_STD,
  saturationMatrix,
  type AugmentationBatch,
} from '../tricks';
import { initNodeBackend } from './backend-node';
import { preprocessBatch, validationAugmentation } from './preprocess';
import { maxAbsDiff } from './test-utils';

beforeAll(async () => {
  await initNodeBackend();
});

const H = 8;
const W = 6;
const rng = createRng(11);
const pixels = Float32Array.from({ length: H * W * 3 }, () => rng.int(256));
const px = (y: number, x: number, c: number) => pixels[(y * W + x) * 3 + c]!;

function augmentation(box: number[], matrix: number[], offset: number[]): AugmentationBatch {
  return {
    boxes: Float32Array.from(box),
    colorMatrices: Float32Array.from(matrix),
    lightingOffsets: Float32Array.from(offset),
  };
}
const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const normalize = (v: number, c: number) => (v - NORMALIZE_MEAN[c]!) / NORMALIZE_STD[c]!;

/** TF crop_and_resize (bilinear), then colour matrix + offset, clip, normalize: on the CPU. */
function reference(box: number[], size: number, matrix: number[], offset: number[]): Float32Array {
  const [y1, x1, y2, x2] = box as [number, number, number, number];
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < size; i++) {
    const sy = y1 * (H - 1) + (i * (y2 - y1) * (H - 1)) / (size - 1);
    for (let j = 0; j < size; j++) {
      const sx = x1 * (W - 1) + (j * (x2 - x1) * (W - 1)) / (size - 1);
      const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
      const [yb, xb] = [Math.min(y0 + 1, H - 1), Math.min(x0 + 1, W - 1)];
      const [dy, dx] = [sy - y0, sx - x0];
      const rgb = [0, 1, 2].map((c) => {
        const top = px(y0, x0, c) * (1 - dx) + px(y0, xb, c) * dx;
        const bottom = px(yb, x0, c) * (1 - dx) + px(yb, xb, c) * dx;
        return top * (1 - dy) + bottom * dy;
      });
      for (let c = 0; c < 3; c++) {
        let v = offset[c]!;
        for (let k = 0; k < 3; k++) v += matrix[c * 3 + k]! * rgb[k]!;
        out[(i * size + j) * 3 + c] = normalize(Math.min(255, Math.max(0, v)), c);
      }
    }
  }
  return out;
}

async function run(aug: AugmentationBatch, size: number): Promise<Float32Array> {
  const t = preprocessBatch(pixels, 1, H, W, aug, size);
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

describe('GPU preprocessing', () => {
  it('whole-image box resized to a square matches the bilinear CPU reference', async () => {
    const got = await run(augmentation([0, 0, 1, 1], IDENTITY, [0, 0, 0]), H);
    expect(got.length).toBe(H * H * 3);
    expect(maxAbsDiff(got, reference([0, 0, 1, 1], H, IDENTITY, [0, 0, 0]))).toBeLessThan(1e-3);
  });

  it('identity box and colour on a square image reproduce the normalized input', async () => {
    const t = preprocessBatch(
      pixels.subarray(0, W * W * 3),
      1,
      W,
      W,
      augmentation([0, 0, 1, 1], IDENTITY, [0, 0, 0]),
      W,
    );
    const got = await t.data();
    t.dispose();
    const expected = Array.from(pixels.subarray(0, W * W * 3), (v, i) => normalize(v, i % 3));
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);
  });

  it('a box with x1 > x2 mirrors the image horizontally', async () => {
    const plain = await run(augmentation([0, 0, 1, 1], IDENTITY, [0, 0, 0]), 5);
    const flipped = await run(augmentation([0, 1, 1, 0], IDENTITY, [0, 0, 0]), 5);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++)
        for (let c = 0; c < 3; c++) {
          expect(flipped[(i * 5 + j) * 3 + c]).toBeCloseTo(plain[(i * 5 + (4 - j)) * 3 + c]!, 4);
        }
  });

  it('random box, colour matrix and lighting offset match the CPU computation', async () => {
    const box = [0.1, 0.7, 0.8, 0.15]; // flipped crop
    const matrix = [...multiply3(hueMatrix(1.3), saturationMatrix(0.7))].map((v) => v * 1.2);
    const offset = [-20, 5, 30];
    const got = await run(augmentation(box, matrix, offset), 7);
    expect(maxAbsDiff(got, reference(box, 7, matrix, offset))).toBeLessThan(1e-3);
  });

  it('validation transform: centre crop of 224/256, identity colour', async () => {
    const aug = validationAugmentation(1, H, W);
    expect([...aug.colorMatrices]).toEqual(IDENTITY);
    const got = await run(aug, 4);
    expect(maxAbsDiff(got, reference([...aug.boxes], 4, IDENTITY, [0, 0, 0]))).toBeLessThan(1e-3);
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    tf.dispose(
      preprocessBatch(
        pixels,
        1,
        H,
        W,
        augmentation(
          [0, 0, 1, 1],
          [...IDENTITY].map((v) => v * 2),
          [1, 2, 3],
        ),
        4,
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
