import * as tf from '@tensorflow/tfjs-core';
import { formatKey, numberFormat, type NumberFormat } from '../../config/number-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import {
  BASE_CASES,
  checkConvOps,
  CONV_OPS,
  describeCase,
  geometryOf,
  overflowCase,
  type ConvCase,
} from './conv-test-harness';
import { convKernelById, type ConvKernel } from './conv-registry';
import { F16_STORAGE_FORMATS } from './direct-conv';
import { f16Bits, f16Value, packF16, unpackF16, wordsOf } from './packed-test-utils';
import { defaultTileShape, TILE_SHAPES, tiledConvShaders } from './tiled-conv';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: f16 arithmetic on f16 storage must really be tested.
  expect(info.shaderF16).toBe(true);
});

// The sweep of direct-conv.test.ts and tiled-conv.test.ts with even channels (packed activations
// always have them): BASE_CASES (ResNet shapes, 1×1 / 3×3 / 7×7, stride 1 and 2, odd and
// non-square sizes, batch 1, a long split reduction); then channels that are not multiples of 4
// (tiled only: 2 as a deep stem at width 1/16, 6 → 10, 10 → 6, a split reduction with 6) and a
// wide layer.
const CASES: ConvCase[] = [
  ...BASE_CASES,
  { n: 2, h: 9, w: 7, ci: 2, co: 2, k: 3, s: 2, p: 1 },
  { n: 1, h: 7, w: 9, ci: 6, co: 10, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 10, co: 6, k: 1, s: 2, p: 0 },
  { n: 5, h: 15, w: 15, ci: 6, co: 8, k: 3, s: 1, p: 1 },
  { n: 1, h: 5, w: 5, ci: 68, co: 72, k: 3, s: 1, p: 1 },
];

/**
 * Runs the three ops of `kernel` on packed inputs (f16 values) and checks them against float64.
 * The only errors are the arithmetic's and the output's rounding to f16: the f16 bound for packed
 * outputs and everything f16 arithmetic computes (its dW must be f16 values); with f32
 * arithmetic the f32 filter gradient has the f32 summation error only.
 */
async function checkCase(kernel: ConvKernel, c: ConvCase, p: NumberFormat): Promise<void> {
  const g = geometryOf(c);
  for (const op of CONV_OPS) expect(kernel.applies(op, g, p)).toBe(true);
  await checkConvOps(
    c,
    {
      forward: (x, w) => kernel.forward(x, w, g, p),
      inputGrad: (dy, w) => kernel.inputGrad(dy, w, g, p),
      filterGrad: (x, dy) => kernel.filterGrad(x, dy, g, p),
    },
    {
      storage: 'packed',
      bound: (op) => (p.arithmetic === 'f32' && op === 'filterGrad' ? 'f32' : 'f16'),
      f16Values: p.arithmetic === 'f16' ? ['filterGrad'] : [],
    },
  );
}

const directCases = CASES.filter((c) => c.ci % 4 === 0 && c.co % 4 === 0);

describe('CPU f16 packing (test helper)', () => {
  it('rounds to nearest even, overflows to ±Inf, keeps subnormals, packs low half first', () => {
    expect(f16Bits(1)).toBe(0x3c00);
    expect(f16Bits(-2)).toBe(0xc000);
    expect(f16Bits(65504)).toBe(0x7bff);
    expect(f16Bits(65520)).toBe(0x7c00);
    expect(f16Bits(-1e6)).toBe(0xfc00);
    expect(f16Bits(2 ** -24)).toBe(1);
    expect(f16Bits(2 ** -25)).toBe(0); // a tie: to even
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie: to even
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f16Value(0x3555)).toBeCloseTo(1 / 3, 3);
    const words = wordsOf(packF16([1, -2, 0.5], 3));
    expect(Array.from(words)).toEqual([0xc0003c00, 0x3800]);
    expect(Array.from(unpackF16(packF16([1, -2, 0.5], 3), 3))).toEqual([1, -2, 0.5]);
  });
});

describe('packed convolution kernels against float64 references', () => {
  const directRuns = F16_STORAGE_FORMATS.flatMap((p) =>
    directCases.map((c) => ({
      p,
      format: formatKey(p),
      c,
      name: describeCase(c),
    })),
  );
  it.each(directRuns)('direct, $format: $name', async ({ p, c }) => {
    await checkCase(convKernelById('direct')!, c, p);
  });

  // Tiled pipelines do not depend on the geometry: the whole sweep costs every shape only its
  // (op, vec4 or scalar loads, number format) pipelines.
  const tiledRuns = TILE_SHAPES.flatMap((shape) =>
    F16_STORAGE_FORMATS.map((p) => ({ id: shape.id, p, format: formatKey(p) })),
  );
  it.each(tiledRuns)('$id, $format: the whole sweep', async ({ id, p }) => {
    for (const c of CASES) await checkCase(convKernelById(id)!, c, p);
  });
});

describe('packed tiled loads', () => {
  it('channels that are not multiples of 4 load word pairs where k is contiguous', () => {
    const g = geometryOf(CASES[9]!); // 6 → 10
    for (const op of ['forward', 'inputGrad'] as const) {
      const [main] = tiledConvShaders(op, g, numberFormat('f16', 'f32'), defaultTileShape(op, g));
      expect(main!.label).toMatch(/ pairs f16-storage\/f32$/);
      expect(main!.code).toContain('fn pairA(');
      expect(main!.code).toContain('var<storage, read_write> result: array<u32>;');
    }
    const [dw] = tiledConvShaders('filterGrad', g, numberFormat('f16', 'f16'), TILE_SHAPES[0]!);
    expect(dw!.code).toContain('var<storage, read_write> result: array<f32>;');
  });
});

describe('packed f16 overflow', () => {
  it.each(
    F16_STORAGE_FORMATS.flatMap((p) =>
      ['direct', 'tiled-128x16'].map((id) => ({ p, id, format: formatKey(p) })),
    ),
  )(
    '$id, $format: a value beyond the f16 range is stored as ±Inf, with 4 and 2 channels',
    async ({ p, id }) => {
      // 1×1 convs: 300 · 300 = 90000 > 65504.
      for (const ch of id === 'direct' ? [4] : [4, 2]) {
        const o = overflowCase(ch, ch);
        const x = tf.tensor4d(packF16(o.xv, ch), [1, 1, 2, ch / 2]);
        const w = tf.tensor4d(packF16(o.wv, ch), [1, 1, ch, ch / 2]);
        const y = convKernelById(id)!.forward(x, w, o.g, p);
        const got = unpackF16((await y.data()) as Float32Array, ch);
        expect(Array.from(got), `${ch} channels`).toEqual(o.expected);
        tf.dispose([x, w, y]);
      }
    },
  );
});
