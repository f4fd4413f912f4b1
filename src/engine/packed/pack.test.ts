import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { randomValues } from '../kernels/reference';
import { installPackedGradientAccumulation } from './accumulate';
import {
  f16Bits,
  permittedF16Bits,
  permittedRoundTrip,
  permittedUnpackedValues,
  roundedF16,
} from './f16-reference';
import { addPacked } from './elementwise';
import { fromPacked, packChannels, toPacked, unpackChannels } from './pack';
import { isPacked, markPacked } from './registry';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  installPackedGradientAccumulation();
  installPackedGradientAccumulation(); // idempotent
});

async function wordsOf(p: tf.Tensor): Promise<Uint32Array> {
  const data = (await p.data()) as Float32Array;
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

/** |got − want| ≤ rel·scale + 2⁻²⁴ per element; scale = |want| unless given (Σ|terms|). */
function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rel: number,
  scale: ArrayLike<number> = Array.from(want, Math.abs),
): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const bound = rel * scale[i]! + 2 ** -24;
    if (!(Math.abs(got[i]! - want[i]!) <= bound)) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]} (±${bound})`);
    }
  }
}

const SPECIAL = [
  1,
  -2,
  0,
  -0,
  0.1,
  1 / 3,
  65504,
  65519,
  65520,
  -1e6,
  1e6,
  NaN,
  2 ** -24,
  -(2 ** -24),
  2 ** -25,
  3 * 2 ** -25,
  2 ** -14,
  1.00048828125,
  1.00146484375,
  1e-8,
  -1e-8,
  2 ** -14 - 2 ** -25,
  Infinity,
  -Infinity,
  5e-5,
  -3.14159,
];

describe('packed f16 layout: pack and unpack', () => {
  it('the CPU reference knows its f16 bits', () => {
    expect(f16Bits(1)).toBe(0x3c00);
    expect(f16Bits(-2)).toBe(0xc000);
    expect(f16Bits(-0)).toBe(0x8000);
    expect(f16Bits(65504)).toBe(0x7bff);
    expect(f16Bits(65520)).toBe(0x7c00);
    expect(f16Bits(2 ** -24)).toBe(0x0001);
    expect(f16Bits(2 ** -25)).toBe(0x0000); // tie to even
    expect(f16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(f16Bits(1.00048828125)).toBe(0x3c00); // tie to even, down
    expect(f16Bits(1.00146484375)).toBe(0x3c02); // tie to even, up
  });

  it('knows what WGSL permits: either neighbour, subnormals flushed, our explicit overflow and NaN', () => {
    expect(permittedF16Bits(1)).toEqual([0x3c00]);
    // A tie between 1 and the next f16 (1 + 2⁻¹⁰): nearest even is 1, the other neighbour allowed.
    expect(permittedF16Bits(1.00048828125).sort()).toEqual([0x3c00, 0x3c01]);
    // 1.5·2⁻²⁴ lies between the subnormals 1 and 2 (× 2⁻²⁴): either, or flushed to +0.
    expect(permittedF16Bits(1.5 * 2 ** -24).sort()).toEqual([0x0000, 0x0001, 0x0002]);
    expect(permittedF16Bits(-(2 ** -24)).sort()).toEqual([0x8000, 0x8001]);
    expect(permittedF16Bits(65510)).toEqual([0x7bff]);
    expect(permittedF16Bits(-1e6)).toEqual([0xfc00]);
    expect(permittedF16Bits(NaN)).toEqual([0x7e00, 0xfe00]);
    expect(permittedUnpackedValues(0x0001)).toEqual([2 ** -24, 0]);
    expect(permittedUnpackedValues(0x3c00)).toEqual([1]);
  });

  for (const channels of [1, 2, 3, 5, 7, 13]) {
    it(`C=${channels}: every word is one WGSL permits for ±0, subnormals, overflow, NaN`, async () => {
      const rows = Math.ceil(SPECIAL.length / channels) + 1;
      const values = Float32Array.from({ length: rows * channels }, (_, i) =>
        i < SPECIAL.length ? SPECIAL[i]! : (i * 0.37) % 3,
      );
      const x = tf.tensor(values, [rows, channels]);
      const p = packChannels(x);
      expect(p.shape).toEqual([rows, Math.ceil(channels / 2)]);
      expect(isPacked(p)).toBe(true);
      const words = await wordsOf(p);
      const perRow = Math.ceil(channels / 2);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < channels; c++) {
          const word = words[r * perRow + (c >> 1)]!;
          const half = c % 2 === 0 ? word & 0xffff : word >>> 16;
          const v = values[r * channels + c]!;
          expect(permittedF16Bits(v), `${v} → 0x${half.toString(16)}`).toContain(half);
        }
        // An odd C: the last word's high half is +0.
        if (channels % 2 === 1) expect(words[r * perRow + perRow - 1]! >>> 16).toBe(0);
      }
      const back = unpackChannels(p, channels);
      expect(back.shape).toEqual([rows, channels]);
      const got = await back.data();
      for (let i = 0; i < values.length; i++) {
        expect(permittedRoundTrip(values[i]!, got[i]!), `${values[i]} → ${got[i]}`).toBe(true);
      }
      tf.dispose([x, p, back]);
    });
  }

  for (const shape of [
    [2, 3, 5, 1],
    [1, 1, 1, 3],
    [2, 5, 3, 7],
    [1, 3, 3, 6],
    [3, 2, 7, 10],
  ]) {
    it(`round trip of ${shape.join('×')} gives an f16 rounding WGSL permits, no leak`, async () => {
      const before = tf.memory().numTensors;
      const values = randomValues(shape.length * 7 + shape[3]!, tf.util.sizeFromShape(shape));
      const x = tf.tensor4d(values, shape as [number, number, number, number]);
      const p = packChannels(x);
      const back = unpackChannels(p, shape[3]!);
      const got = await back.data();
      for (let i = 0; i < values.length; i++) {
        expect(permittedRoundTrip(values[i]!, got[i]!)).toBe(true);
      }
      tf.dispose([x, p, back]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('refuses a shape that cannot hold the channels', () => {
    const p = markPacked(tf.zeros([2, 3]));
    expect(() => unpackChannels(p, 7)).toThrow(/3 words cannot hold 7 channels/);
    tf.dispose(p);
  });
});

describe('toPacked / fromPacked / addPacked, differentiable', () => {
  it('toPacked∘fromPacked: gradient is an f16 rounding of the upstream gradient', async () => {
    const shape: [number, number, number, number] = [2, 3, 3, 6];
    const x = tf.tensor4d(randomValues(1, 108), shape);
    const rv = randomValues(2, 108);
    const r = tf.tensor4d(rv, shape);
    const before = tf.memory().numTensors;
    const [dx] = tf.grads((xx: tf.Tensor) =>
      tf.sum(tf.mul(fromPacked(toPacked(xx as tf.Tensor4D), 6), r)),
    )([x]);
    const got = await dx!.data();
    for (let i = 0; i < rv.length; i++) expect(permittedRoundTrip(rv[i]!, got[i]!)).toBe(true);
    tf.dispose(dx);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, r]);
  });

  it('addPacked forward: the f16 sum of the f16 inputs', async () => {
    const shape: [number, number, number, number] = [1, 5, 3, 10];
    const av = roundedF16(randomValues(3, 150));
    const bv = roundedF16(randomValues(4, 150));
    const a = packChannels(tf.tensor4d(av, shape));
    const b = packChannels(tf.tensor4d(bv, shape));
    const s = addPacked(a, b);
    expect(isPacked(s)).toBe(true);
    const got = await unpackChannels(s, 10).data();
    expectClose(
      got,
      av.map((v, i) => v + bv[i]!),
      2 ** -11,
    );
    tf.dispose([a, b, s]);
  });
});

describe('packed gradient accumulation (the re-registered Add)', () => {
  it('tf.add of two packed tensors adds their values and marks the sum', async () => {
    const av = roundedF16(randomValues(5, 24));
    const bv = roundedF16(randomValues(6, 24));
    const a = packChannels(tf.tensor2d(av, [4, 6]));
    const b = packChannels(tf.tensor2d(bv, [4, 6]));
    const s = tf.add(a, b);
    expect(isPacked(s)).toBe(true);
    const u = unpackChannels(s, 6);
    expectClose(
      await u.data(),
      av.map((v, i) => v + bv[i]!),
      2 ** -11,
    );
    // f32 adds are untouched.
    const f = tf.add(tf.scalar(1.5), tf.scalar(2.25));
    expect(await f.data()).toEqual(new Float32Array([3.75]));
    expect(isPacked(f)).toBe(false);
    tf.dispose([a, b, s, u, f]);
  });

  it('refuses a packed + f32 add', () => {
    const a = packChannels(tf.zeros([2, 4]));
    const b = tf.zeros([2, 2]);
    expect(() => tf.add(a, b)).toThrow(/packed and an f32/);
    tf.dispose([a, b]);
  });

  it('one packed tensor feeding two packed ops: tf.grads equals the f32 reference', async () => {
    const shape: [number, number, number, number] = [2, 3, 5, 6];
    const size = 180;
    const x = tf.tensor4d(randomValues(7, size), shape);
    const r1 = randomValues(8, size);
    const r2 = randomValues(9, size);
    const t1 = tf.tensor4d(r1, shape);
    const t2 = tf.tensor4d(r2, shape);
    const before = tf.memory().numTensors;
    // p feeds fromPacked and addPacked (twice): the tape sums three packed gradients of p.
    const [dx] = tf.grads((xx: tf.Tensor) => {
      const p = toPacked(xx as tf.Tensor4D);
      const direct = tf.sum(tf.mul(fromPacked(p, 6), t1));
      const doubled = tf.sum(tf.mul(fromPacked(addPacked(p, p), 6), t2));
      return tf.add(direct, doubled);
    })([x]);
    const want = r1.map((v, i) => v + 2 * r2[i]!);
    const got = await dx!.data();
    // Three f16 roundings of the gradient (pack, add, unpack) at most.
    expectClose(
      got,
      want,
      4 * 2 ** -11,
      r1.map((v, i) => Math.abs(v) + 2 * Math.abs(r2[i]!)),
    );
    tf.dispose(dx);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t1, t2]);
  });
});
