import * as tf from '@tensorflow/tfjs-core';
import { F32, formatKey, numberFormat, type NumberFormat } from '../../config/number-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../tricks';
import { initNodeBackend } from '../backend-node';
import { convGeometry } from './conv-geometry';
import {
  BASE_CASES,
  checkConvOps,
  convFixture,
  describeCase,
  geometryOf,
  overflowCase,
  type ConvCase,
} from './conv-test-harness';
import { compiledPipelineCount, compilePipelinesAhead } from './dispatch';
import { randomValues } from './reference';
import {
  conv2dFilterGradTiled,
  conv2dInputGradTiled,
  conv2dTiled,
  defaultTileShape,
  TILE_SHAPES,
  tiledConvShaders,
  tiledFilterGradSplits,
  tileShapeById,
  type TileShape,
} from './tiled-conv';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  // The CI adapter (lavapipe) has shader-f16: the 'f16' variant must really be tested.
  expect(info.shaderF16).toBe(true);
});

// direct-conv.test.ts's sweep (BASE_CASES), then channels that are not multiples of 4 (scalar
// loads: an RGB stem, 6→10, 5→3 1×1/2, a split reduction), and wide layers (N > 64).
const CASES: ConvCase[] = [
  ...BASE_CASES,
  { n: 2, h: 15, w: 13, ci: 3, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 7, w: 9, ci: 6, co: 10, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 5, co: 3, k: 1, s: 2, p: 0 },
  { n: 1, h: 11, w: 5, ci: 7, co: 20, k: 3, s: 2, p: 1 },
  { n: 5, h: 15, w: 15, ci: 6, co: 8, k: 3, s: 1, p: 1 },
  { n: 1, h: 5, w: 5, ci: 68, co: 72, k: 3, s: 1, p: 1 },
];

// Run with every tile shape: several tiles along M and N for each shape and a 3×3/2 (vec4 loads),
// and a case with scalar loads. The scalar loads meet the f16 flavors in the default-shape sweep
// (128×16 and 128×32): here they run in f32 only, which saves a dozen pipelines (~1.5 s each).
const SHAPE_CASES: ConvCase[] = [
  { n: 1, h: 13, w: 11, ci: 136, co: 132, k: 1, s: 1, p: 0 },
  { n: 2, h: 9, w: 7, ci: 8, co: 4, k: 3, s: 2, p: 1 },
];
const SHAPE_CASE_SCALAR: ConvCase = {
  n: 2,
  h: 9,
  w: 7,
  ci: 6,
  co: 10,
  k: 3,
  s: 2,
  p: 1,
};

const FORMATS: NumberFormat[] = [F32, numberFormat('f32', 'f16'), numberFormat('f32', 'emulated')];

/**
 * Runs the three ops (each with `shape`, or its default) against float64: f32 with the summation
 * bound; f16 and emulated with the f16 kernels' bound, their outputs f16 values.
 */
async function checkCase(c: ConvCase, format: NumberFormat, shape?: TileShape): Promise<void> {
  const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
  const wShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  await checkConvOps(
    c,
    {
      forward: (x, w) => conv2dTiled(x, w, c.s, c.p, format, shape),
      inputGrad: (dy, w) => conv2dInputGradTiled(dy, w, xShape, c.s, c.p, format, shape),
      filterGrad: (x, dy) => conv2dFilterGradTiled(x, dy, wShape, c.s, c.p, format, shape),
    },
    {
      storage: 'f32',
      bound: () => (format === F32 ? 'f32' : 'f16'),
      f16Values: format === F32 ? [] : ['forward', 'inputGrad', 'filterGrad'],
    },
  );
}

describe('tile shapes and split-K', () => {
  it('ids are unique and found by id', () => {
    expect(new Set(TILE_SHAPES.map((s) => s.id)).size).toBe(TILE_SHAPES.length);
    for (const s of TILE_SHAPES) expect(tileShapeById(s.id)).toBe(s);
    expect(tileShapeById('tiled-7x7')).toBeUndefined();
  });

  it('the default shape is the narrowest that covers N; wide layers with few rows take 64×64', () => {
    const g = (n: number, h: number, ci: number, co: number) =>
      convGeometry([n, h, h, ci], [3, 3, ci, co], 1, 1);
    expect(defaultTileShape('forward', g(8, 32, 3, 16)).id).toBe('tiled-128x16');
    expect(defaultTileShape('inputGrad', g(8, 32, 3, 64)).id).toBe('tiled-128x16');
    expect(defaultTileShape('forward', g(8, 32, 16, 32)).id).toBe('tiled-128x32');
    expect(defaultTileShape('filterGrad', g(8, 32, 16, 64)).id).toBe('tiled-64x64');
    expect(defaultTileShape('forward', g(128, 14, 256, 256)).id).toBe('tiled-128x128');
    expect(defaultTileShape('forward', g(1, 7, 512, 512)).id).toBe('tiled-64x64');
    expect(defaultTileShape('filterGrad', g(1, 7, 512, 512)).id).toBe('tiled-128x128');
  });

  it('the filter gradient splits long reductions into whole slices, enough to fill a GPU', () => {
    const small = tiledFilterGradSplits(geometryOf(CASES[7]!), tileShapeById('tiled-128x16')!);
    expect(small).toEqual({ splits: 8, kChunk: 512 });
    // ResNet-18's first stage at batch 128: 9 tiles of 64×64, K = 128·56·56.
    const g = convGeometry([128, 56, 56, 64], [3, 3, 64, 64], 1, 1);
    const { splits, kChunk } = tiledFilterGradSplits(g, tileShapeById('tiled-64x64')!);
    expect(splits * 9).toBeGreaterThanOrEqual(256);
    expect(kChunk % 16).toBe(0);
    expect(kChunk).toBeGreaterThanOrEqual(512);
    expect(splits * kChunk).toBeGreaterThanOrEqual(128 * 56 * 56);
    expect((splits - 1) * kChunk).toBeLessThan(128 * 56 * 56);
  });

  it('tiledConvShaders lists exactly the pipelines an op compiles', async () => {
    const c = CASES[7]!;
    const { g, xv, dyv } = convFixture(c);
    const shape = defaultTileShape('filterGrad', g);
    const shaders = tiledConvShaders('filterGrad', g, numberFormat('f32', 'emulated'), shape);
    expect(shaders.map((s) => s.label)).toEqual([
      'tiled-128x16 filterGrad vec4 f32-storage/emulated',
      'tiled-128x16 filterGrad-sum f32-storage/emulated',
    ]);
    const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]);
    const dy = tf.tensor4d(dyv, [c.n, g.outHeight, g.outWidth, c.co]);
    const before = compiledPipelineCount();
    const dw = conv2dFilterGradTiled(
      x,
      dy,
      [3, 3, c.ci, c.co],
      c.s,
      c.p,
      numberFormat('f32', 'emulated'),
    );
    await dw.data();
    expect(compiledPipelineCount() - before).toBe(shaders.length);
    await compilePipelinesAhead(shaders);
    expect(compiledPipelineCount() - before).toBe(shaders.length);
    tf.dispose([x, dy, dw]);
  });
});

describe('tiled convolution kernels against float64 references', () => {
  const runs = FORMATS.flatMap((format) =>
    CASES.map((c) => ({
      format,
      key: formatKey(format),
      c,
      name: describeCase(c),
    })),
  );
  it.each(runs)('$key, default shapes: $name', async ({ format, c }) => {
    await checkCase(c, format);
  });

  const shapeRuns = TILE_SHAPES.flatMap((shape) =>
    FORMATS.map((format) => ({
      id: shape.id,
      shape,
      format,
      key: formatKey(format),
    })),
  );
  it.each(shapeRuns)('$id, $key', async ({ shape, format }) => {
    for (const c of SHAPE_CASES) await checkCase(c, format, shape);
    if (format === F32) await checkCase(SHAPE_CASE_SCALAR, format, shape);
  });
});

describe('tiled convolution gradients against finite differences of the tiled forward', () => {
  // L(x, w) = Σ conv2dTiled(x, w)·R is linear in x and in w, so a central difference is exact
  // up to f32 rounding: a large step keeps that rounding small against the difference.
  const EPS = 0.5;
  const FD_CASES: ConvCase[] = [
    { n: 1, h: 6, w: 5, ci: 3, co: 5, k: 3, s: 2, p: 1 },
    { n: 2, h: 5, w: 5, ci: 4, co: 8, k: 3, s: 2, p: 1 },
    { n: 1, h: 5, w: 4, ci: 5, co: 4, k: 1, s: 2, p: 0 },
  ];
  it.each(FD_CASES.map((c) => ({ c, name: describeCase(c) })))('$name', async ({ c }) => {
    const g = geometryOf(c);
    const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
    const wShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
    const xv = randomValues(11, c.n * c.h * c.w * c.ci);
    const wv = randomValues(12, c.k * c.k * c.ci * c.co);
    const rv = randomValues(13, c.n * g.outHeight * g.outWidth * c.co);
    const r = tf.tensor4d(rv, [c.n, g.outHeight, g.outWidth, c.co]);
    const loss = async (xs: Float32Array, ws: Float32Array) => {
      const [x, w] = [tf.tensor4d(xs, xShape), tf.tensor4d(ws, wShape)];
      const y = conv2dTiled(x, w, c.s, c.p);
      const yv = (await y.data()) as Float32Array;
      tf.dispose([x, w, y]);
      return yv.reduce((sum, v, i) => sum + v * rv[i]!, 0);
    };
    const difference = async (values: Float32Array, i: number, of: 'x' | 'w') => {
      const plus = values.slice();
      const minus = values.slice();
      plus[i] = values[i]! + EPS;
      minus[i] = values[i]! - EPS;
      const [lp, lm] =
        of === 'x'
          ? [await loss(plus, wv), await loss(minus, wv)]
          : [await loss(xv, plus), await loss(xv, minus)];
      return (lp - lm) / (2 * EPS);
    };
    const x = tf.tensor4d(xv, xShape);
    const w = tf.tensor4d(wv, wShape);
    const dx = conv2dInputGradTiled(r, w, xShape, c.s, c.p);
    const dw = conv2dFilterGradTiled(x, r, wShape, c.s, c.p);
    const [dxv, dwv] = (await Promise.all([dx.data(), dw.data()])) as Float32Array[];
    tf.dispose([x, w, r, dx, dw]);
    // The first and last entries (padding borders) and a few in between.
    const rng = createRng(c.ci * 100 + c.co);
    const picks = (size: number) => [
      0,
      size - 1,
      ...Array.from({ length: 6 }, () => Math.floor(rng.uniform(0, size))),
    ];
    for (const i of picks(xv.length)) {
      expect(Math.abs((await difference(xv, i, 'x')) - dxv![i]!), `dx[${i}]`).toBeLessThan(1e-4);
    }
    for (const i of picks(wv.length)) {
      expect(Math.abs((await difference(wv, i, 'w')) - dwv![i]!), `dw[${i}]`).toBeLessThan(1e-4);
    }
  });
});

describe('f16 overflow', () => {
  it.each(['f16', 'emulated'] as const)(
    'f32 storage, %s arithmetic: a value beyond the f16 range becomes ±Inf, with vec4 and scalar loads',
    async (arithmetic) => {
      const format = numberFormat('f32', arithmetic);
      // 4 → 4 channels (vec4 loads) and 3 → 4 (scalar loads).
      for (const ci of [4, 3]) {
        const o = overflowCase(ci, 4);
        const x = tf.tensor4d(o.xv, o.xShape);
        const w = tf.tensor4d(o.wv, o.wShape);
        const y = conv2dTiled(x, w, 1, 0, format);
        expect(Array.from(await y.data()), `${ci} channels`).toEqual(o.expected);
        tf.dispose([x, w, y]);
      }
    },
  );
});
