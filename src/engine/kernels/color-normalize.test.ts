import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NORMALIZE_MEAN, NORMALIZE_STD } from '../../tricks';
import { initNodeBackend } from '../backend-node';
import { colorAndNormalize } from './color-normalize';
import { countDispatches } from '../benchmark/dispatch-counter';

beforeAll(async () => {
  await initNodeBackend();
});

/** The float64 reference: M·rgb + offset, clipped to [0, 255], then (v − mean) / std. */
function reference(
  pixels: Float32Array,
  count: number,
  matrices: Float32Array,
  offsets: Float32Array,
  normalize: boolean,
): number[] {
  const perImage = pixels.length / count / 3;
  const out: number[] = [];
  for (let p = 0; p < pixels.length / 3; p++) {
    const n = Math.floor(p / perImage);
    for (let c = 0; c < 3; c++) {
      let v = offsets[3 * n + c]!;
      for (let j = 0; j < 3; j++) v += matrices[9 * n + 3 * c + j]! * pixels[3 * p + j]!;
      v = Math.min(255, Math.max(0, v));
      out.push(normalize ? (v - NORMALIZE_MEAN[c]!) / NORMALIZE_STD[c]! : v);
    }
  }
  return out;
}

describe('colorAndNormalize', () => {
  // 2 images of 3×5 pixels (not a multiple of the workgroup); the second matrix pushes values
  // past both ends of [0, 255].
  const count = 2;
  const pixels = Float32Array.from({ length: count * 15 * 3 }, (_, i) => (i * 37) % 256);
  const matrices = Float32Array.from([
    ...[0.9, 0.05, 0.05, 0.1, 0.8, 0.1, 0, 0.2, 0.8],
    ...[1.5, -0.5, 0.3, 0.2, 1.4, -0.6, -0.8, 0.1, 1.9],
  ]);
  const offsets = Float32Array.from([3, -4, 5, 40, -60, 10]);

  it.each([true, false])(
    'matches the float64 reference (normalize: %s), clipping included, in one dispatch',
    async (normalize) => {
      const images = tf.tensor4d(pixels, [count, 3, 5, 3]);
      const counter = countDispatches()!;
      const result = colorAndNormalize(images, matrices, offsets, normalize);
      expect(counter.stop()).toBe(1);
      const got = await result.data();
      const want = reference(pixels, count, matrices, offsets, normalize);
      // Both ends of the clip are exercised.
      const raw = reference(pixels, count, matrices, offsets, false);
      expect(raw).toContain(0);
      expect(raw).toContain(255);
      for (let i = 0; i < want.length; i++) {
        // f32 arithmetic against float64: a few ulps of values up to 255.
        expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4);
      }
      tf.dispose([images, result]);
    },
  );

  it('the identity colour leaves in-range pixels exactly as they were before normalizing', async () => {
    const images = tf.tensor4d(pixels, [count, 3, 5, 3]);
    const identity = Float32Array.from({ length: 18 }, (_, i) => ((i % 9) % 4 === 0 ? 1 : 0));
    const result = colorAndNormalize(images, identity, new Float32Array(6), false);
    expect(Array.from(await result.data())).toEqual(Array.from(pixels));
    tf.dispose([images, result]);
  });
});
