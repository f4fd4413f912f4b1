import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvOp } from '../../tuning-plan/plan';
import { initNodeBackend } from '../backend-node';
import { isPacked } from '../packed/registry';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import { convKernelById, type ConvKernel } from './conv-registry';
import { PACKED_PRECISIONS, type PackedPrecision } from './direct-conv';
import { f16Bits, f16Value, packF16, roundToF16, unpackF16, wordsOf } from './packed-test-utils';
import {
  allF16,
  conv2dFilterGradReference,
  conv2dInputGradReference,
  conv2dReference,
  f16ErrorRatio,
  f32ErrorRatio,
  randomValues,
  type Reference,
} from './reference';
import { defaultTileShape, TILE_SHAPES, tiledConvShaders } from './tiled-conv';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: 'packed-f16' must really be tested.
  expect(info.shaderF16).toBe(true);
});

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  p: number;
}

// The sweep of direct-conv.test.ts and tiled-conv.test.ts with even channels (packed activations
// always have them): ResNet shapes, 1×1 / 3×3 / 7×7, stride 1 and 2, odd and non-square sizes,
// batch 1, a long split reduction; then channels that are not multiples of 4 (tiled only: 2 as a
// deep stem at width 1/16, 6 → 10, 10 → 6, a split reduction with 6) and a wide layer.
const CASES: Case[] = [
  { n: 1, h: 5, w: 5, ci: 4, co: 4, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 8, co: 4, k: 3, s: 2, p: 1 },
  { n: 3, h: 8, w: 8, ci: 4, co: 12, k: 1, s: 1, p: 0 },
  { n: 2, h: 9, w: 9, ci: 8, co: 16, k: 1, s: 2, p: 0 },
  { n: 2, h: 15, w: 13, ci: 4, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 6, w: 6, ci: 20, co: 32, k: 3, s: 1, p: 1 },
  { n: 1, h: 7, w: 6, ci: 4, co: 4, k: 3, s: 1, p: 0 },
  { n: 16, h: 16, w: 16, ci: 8, co: 8, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 2, co: 2, k: 3, s: 2, p: 1 },
  { n: 1, h: 7, w: 9, ci: 6, co: 10, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 10, co: 6, k: 1, s: 2, p: 0 },
  { n: 5, h: 15, w: 15, ci: 6, co: 8, k: 3, s: 1, p: 1 },
  { n: 1, h: 5, w: 5, ci: 68, co: 72, k: 3, s: 1, p: 1 },
];

const describeCase = (c: Case) =>
  `n${c.n} ${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} /${c.s} pad ${c.p}`;

interface Fixture {
  g: ConvGeometry;
  /** f16 values (f32), the packed words of the same, and the float64 references on them. */
  xv: Float32Array;
  wv: Float32Array;
  dyv: Float32Array;
  refs: Record<ConvOp, Reference>;
}

const fixtures = new Map<Case, Fixture>();
function fixtureOf(c: Case): Fixture {
  let f = fixtures.get(c);
  if (!f) {
    const g = convGeometry([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, c.p);
    const xv = roundToF16(randomValues(1, c.n * c.h * c.w * c.ci));
    const wv = roundToF16(randomValues(2, c.k * c.k * c.ci * c.co));
    const dyv = roundToF16(randomValues(3, c.n * g.outHeight * g.outWidth * c.co));
    const refs = {
      forward: conv2dReference(g, xv, wv),
      inputGrad: conv2dInputGradReference(g, dyv, wv),
      filterGrad: conv2dFilterGradReference(g, xv, dyv),
    };
    f = { g, xv, wv, dyv, refs };
    fixtures.set(c, f);
  }
  return f;
}

/**
 * Inputs are f16 values, so the only errors are the arithmetic's and the output's rounding to
 * f16: the f16 bound for packed outputs and everything 'packed-f16' computes; 'packed-f32''s f32
 * filter gradient has the f32 summation error only.
 */
function errorRatio(p: PackedPrecision, op: ConvOp, got: Float32Array, ref: Reference): number {
  return p === 'packed-f32' && op === 'filterGrad'
    ? f32ErrorRatio(got, ref)
    : f16ErrorRatio(got, ref);
}

/** Runs the three ops of `kernel` on packed inputs and checks them against float64. */
async function checkCase(kernel: ConvKernel, c: Case, p: PackedPrecision): Promise<void> {
  const { g, xv, wv, dyv, refs } = fixtureOf(c);
  for (const op of ['forward', 'inputGrad', 'filterGrad'] as const) {
    expect(kernel.applies(op, g, p)).toBe(true);
  }
  const x = tf.tensor4d(packF16(xv, c.ci), [c.n, c.h, c.w, c.ci / 2]);
  const w = tf.tensor4d(packF16(wv, c.co), [c.k, c.k, c.ci, c.co / 2]);
  const dy = tf.tensor4d(packF16(dyv, c.co), [c.n, g.outHeight, g.outWidth, c.co / 2]);
  const y = kernel.forward(x, w, g, p);
  const dx = kernel.inputGrad(dy, w, g, p);
  const dw = kernel.filterGrad(x, dy, g, p);
  expect(y.shape).toEqual([c.n, g.outHeight, g.outWidth, c.co / 2]);
  expect(dx.shape).toEqual([c.n, c.h, c.w, c.ci / 2]);
  expect(dw.shape).toEqual([c.k, c.k, c.ci, c.co]);
  expect([isPacked(y), isPacked(dx), isPacked(dw)]).toEqual([true, true, false]);
  const [yd, dxd, dwd] = (await Promise.all([y.data(), dx.data(), dw.data()])) as Float32Array[];
  tf.dispose([x, w, dy, y, dx, dw]);
  const got: Record<ConvOp, Float32Array> = {
    forward: unpackF16(yd!, c.co),
    inputGrad: unpackF16(dxd!, c.ci),
    filterGrad: dwd!,
  };
  for (const op of ['forward', 'inputGrad', 'filterGrad'] as const) {
    expect(errorRatio(p, op, got[op], refs[op]), op).toBeLessThanOrEqual(1);
  }
  if (p === 'packed-f16') expect(allF16(dwd!), 'dW in f16 values').toBe(true);
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
  const directRuns = PACKED_PRECISIONS.flatMap((p) =>
    directCases.map((c) => ({ p, c, name: describeCase(c) })),
  );
  it.each(directRuns)('direct, $p: $name', async ({ p, c }) => {
    await checkCase(convKernelById('direct')!, c, p);
  });

  // Tiled pipelines do not depend on the geometry: the whole sweep costs every shape only its
  // (op, vec4 or scalar loads, precision) pipelines.
  const tiledRuns = TILE_SHAPES.flatMap((shape) =>
    PACKED_PRECISIONS.map((p) => ({ id: shape.id, p })),
  );
  it.each(tiledRuns)('$id, $p: the whole sweep', async ({ id, p }) => {
    for (const c of CASES) await checkCase(convKernelById(id)!, c, p);
  });
});

describe('packed tiled loads', () => {
  it('channels that are not multiples of 4 load word pairs where k is contiguous', () => {
    const g = fixtureOf(CASES[9]!).g; // 6 → 10
    for (const op of ['forward', 'inputGrad'] as const) {
      const [main] = tiledConvShaders(op, g, 'packed-f32', defaultTileShape(op, g));
      expect(main!.label).toMatch(/ pairs packed-f32$/);
      expect(main!.code).toContain('fn pairA(');
      expect(main!.code).toContain('var<storage, read_write> result: array<u32>;');
    }
    const [dw] = tiledConvShaders('filterGrad', g, 'packed-f16', TILE_SHAPES[0]!);
    expect(dw!.code).toContain('var<storage, read_write> result: array<f32>;');
  });
});

describe('packed f16 overflow', () => {
  it.each(PACKED_PRECISIONS.flatMap((p) => ['direct', 'tiled-128x16'].map((id) => ({ p, id }))))(
    '$id, $p: a value beyond the f16 range is stored as ±Inf, with 4 and 2 channels',
    async ({ p, id }) => {
      // 1×1 convs: 300 · 300 = 90000 > 65504.
      for (const ch of id === 'direct' ? [4] : [4, 2]) {
        const g = convGeometry([1, 1, 2, ch], [1, 1, ch, ch], 1, 0);
        const xv = new Float32Array(2 * ch);
        xv[0] = 300;
        xv[ch] = -300;
        const wv = new Float32Array(ch * ch);
        wv[0] = 300;
        const x = tf.tensor4d(packF16(xv, ch), [1, 1, 2, ch / 2]);
        const w = tf.tensor4d(packF16(wv, ch), [1, 1, ch, ch / 2]);
        const y = convKernelById(id)!.forward(x, w, g, p);
        const got = unpackF16((await y.data()) as Float32Array, ch);
        const expected = new Float32Array(2 * ch);
        expected[0] = Infinity;
        expected[ch] = -Infinity;
        expect(Array.from(got)).toEqual(Array.from(expected));
        tf.dispose([x, w, y]);
      }
    },
  );
});
