import * as tf from '@tensorflow/tfjs-core';
import { F32, numberFormat } from '../../config/number-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { convGeometry } from './conv-geometry';
import {
  checkConvOps,
  convFixture,
  describeCase,
  geometryOf,
  overflowCase,
  type ConvCase,
} from './conv-test-harness';
import { compiledPipelineCount, compilePipelinesAhead } from './dispatch';
import { packF16, unpackF16 } from './packed-test-utils';
import {
  conv2dFilterGradTiled2,
  conv2dInputGradTiled2,
  conv2dTiled2,
  TILE_SHAPES_2,
  tileShape2ById,
  tileShape2Fits,
  tileShape2Suits,
  tiledConv2Shaders,
  type TileShape2,
} from './tiled-conv-v2';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

// Every pipeline bakes its layer's geometry, so each case costs each shape 3–4 compiles: the sweep
// is chosen for coverage. Vec4 loads (channels in multiples of 4) and scalar ones (an RGB stem,
// 6 → 10, 5 → 3, 7 → 20); 1×1, 3×3, 7×7; stride 1 and 2, with odd and even input sizes under
// stride 2 (phases with a row or column fewer, phases without taps for 1×1/2); batch 1; a split
// reduction (n16); several tiles along M and N (68 → 72 wider than 64).
const CASES: ConvCase[] = [
  { n: 1, h: 5, w: 5, ci: 4, co: 4, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 8, co: 4, k: 3, s: 2, p: 1 },
  { n: 2, h: 8, w: 8, ci: 8, co: 16, k: 3, s: 2, p: 1 },
  { n: 2, h: 9, w: 9, ci: 8, co: 16, k: 1, s: 2, p: 0 },
  { n: 2, h: 15, w: 13, ci: 4, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 7, w: 6, ci: 4, co: 4, k: 3, s: 1, p: 0 },
  { n: 16, h: 16, w: 16, ci: 8, co: 8, k: 3, s: 1, p: 1 },
  { n: 2, h: 15, w: 13, ci: 3, co: 8, k: 7, s: 2, p: 3 },
  { n: 1, h: 7, w: 9, ci: 6, co: 10, k: 3, s: 1, p: 1 },
  { n: 2, h: 9, w: 7, ci: 5, co: 3, k: 1, s: 2, p: 0 },
  { n: 1, h: 11, w: 5, ci: 7, co: 20, k: 3, s: 2, p: 1 },
  { n: 1, h: 5, w: 5, ci: 68, co: 72, k: 3, s: 1, p: 1 },
];

/** Runs the three ops with `shape` and checks them against float64 (f32 summation error). */
async function checkCase(c: ConvCase, shape: TileShape2): Promise<void> {
  const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
  const wShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  await checkConvOps(
    c,
    {
      forward: (x, w) => conv2dTiled2(x, w, c.s, c.p, shape),
      inputGrad: (dy, w) => conv2dInputGradTiled2(dy, w, xShape, c.s, c.p, shape),
      filterGrad: (x, dy) => conv2dFilterGradTiled2(x, dy, wShape, c.s, c.p, shape),
    },
    { storage: 'f32', bound: () => 'f32' },
  );
}

/** WebGPU's default limits. */
const DEFAULT_LIMITS = {
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
};

describe('second-generation tile shapes', () => {
  it('ids are unique, found by id, and every shape fits the default limits', () => {
    expect(new Set(TILE_SHAPES_2.map((s) => s.id)).size).toBe(TILE_SHAPES_2.length);
    for (const s of TILE_SHAPES_2) {
      expect(tileShape2ById(s.id)).toBe(s);
      expect(tileShape2Fits(s, DEFAULT_LIMITS)).toBe(true);
    }
    expect(tileShape2ById('tiled2-7x7')).toBeUndefined();
    expect(
      tileShape2Fits(tileShape2ById('tiled2-64x64')!, {
        ...DEFAULT_LIMITS,
        maxComputeWorkgroupStorageSize: 8192,
      }),
    ).toBe(false);
  });

  it('a shape suits an op when its tileN is N rounded up to a power of two, within 16…64', () => {
    const g = convGeometry([8, 16, 16, 16], [3, 3, 16, 32], 2, 1);
    const suits = (op: 'forward' | 'inputGrad', id: string, at = g) =>
      tileShape2Suits(tileShape2ById(id)!, op, at);
    // N = 32 (forward) and 16 (input gradient): one shape each.
    expect(suits('forward', 'tiled2-128x32')).toBe(true);
    expect(suits('forward', 'tiled2-128x16')).toBe(false);
    expect(suits('forward', 'tiled2-64x64')).toBe(false);
    expect(suits('inputGrad', 'tiled2-128x16')).toBe(true);
    expect(suits('inputGrad', 'tiled2-128x32')).toBe(false);
    // N = 100: the two 64-wide shapes.
    const wide = convGeometry([8, 8, 8, 100], [3, 3, 100, 100], 1, 1);
    expect(
      ['tiled2-128x64', 'tiled2-64x64', 'tiled2-128x32', 'tiled2-128x16'].map((id) =>
        suits('forward', id, wide),
      ),
    ).toEqual([true, true, false, false]);
  });

  it('the stride-2 input gradient is one dispatch; the shader list is what runs', async () => {
    const c = CASES[1]!;
    const { g, wv, dyv } = convFixture(c);
    const shape = tileShape2ById('tiled2-64x64')!;
    const shaders = tiledConv2Shaders('inputGrad', g, F32, shape);
    expect(shaders.map((s) => s.label)).toEqual([
      'tiled2-64x64 inputGrad vec4-vec4 f32 3x3/2 8->4',
    ]);
    const before = compiledPipelineCount();
    const dy = tf.tensor4d(dyv, [c.n, g.outHeight, g.outWidth, c.co]);
    const w = tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]);
    const dx = conv2dInputGradTiled2(dy, w, [c.n, c.h, c.w, c.ci], c.s, c.p, shape);
    await dx.data();
    expect(compiledPipelineCount() - before).toBe(shaders.length);
    await compilePipelinesAhead(shaders);
    expect(compiledPipelineCount() - before).toBe(shaders.length);
    tf.dispose([dy, w, dx]);
  });

  it('f16 arithmetic, and packed storage with odd channels, are refused', () => {
    const g = geometryOf(CASES[0]!);
    const shape = TILE_SHAPES_2[0]!;
    expect(() => tiledConv2Shaders('forward', g, numberFormat('f32', 'f16'), shape)).toThrow(
      /got f32-storage\/f16/,
    );
    expect(() => tiledConv2Shaders('forward', g, numberFormat('f16', 'f16'), shape)).toThrow(
      /got f16-storage\/f16/,
    );
    const odd = geometryOf(CASES[9]!);
    expect(() => tiledConv2Shaders('forward', odd, numberFormat('f16', 'f32'), shape)).toThrow(
      /5→3/,
    );
  });
});

describe('second-generation tiled convolution kernels against float64 references', () => {
  const runs = TILE_SHAPES_2.flatMap((shape) =>
    CASES.map((c) => ({ id: shape.id, shape, c, name: describeCase(c) })),
  );
  it.each(runs)('$id: $name', async ({ shape, c }) => {
    await checkCase(c, shape);
  });
});

// Even channels (packed activations always have them): vec4 loads, word loads (6 → 10, 2 → 2),
// stride-2 phases with odd sizes, a split reduction, and a layer wider than 64.
const PACKED_CASES: ConvCase[] = [
  CASES[1]!,
  CASES[3]!,
  CASES[6]!,
  CASES[8]!,
  { n: 2, h: 9, w: 7, ci: 2, co: 2, k: 3, s: 2, p: 1 },
  CASES[11]!,
];

/**
 * f16 storage with f32 arithmetic on f16 inputs: activation outputs carry the f16 output rounding (f16 bound), the
 * filter gradient is f32 arithmetic, unrounded (f32 bound).
 */
async function checkPackedCase(c: ConvCase, shape: TileShape2): Promise<void> {
  const p = numberFormat('f16', 'f32');
  await checkConvOps(
    c,
    {
      forward: (x, w) => conv2dTiled2(x, w, c.s, c.p, shape, p),
      inputGrad: (dy, w) => conv2dInputGradTiled2(dy, w, [c.n, c.h, c.w, c.ci], c.s, c.p, shape, p),
      filterGrad: (x, dy) =>
        conv2dFilterGradTiled2(x, dy, [c.k, c.k, c.ci, c.co], c.s, c.p, shape, p),
    },
    { storage: 'packed', bound: (op) => (op === 'filterGrad' ? 'f32' : 'f16') },
  );
}

describe('second-generation tiled kernels with f16 storage and f32 arithmetic against float64 references', () => {
  const runs = TILE_SHAPES_2.flatMap((shape) =>
    PACKED_CASES.map((c) => ({
      id: shape.id,
      shape,
      c,
      name: describeCase(c),
    })),
  );
  it.each(runs)('$id: $name', async ({ shape, c }) => {
    await checkPackedCase(c, shape);
  });

  it('a value beyond the f16 range is stored as ±Inf, with 4 and 2 channels', async () => {
    // 1×1 convs: 300 · 300 = 90000 > 65504.
    for (const ch of [4, 2]) {
      const o = overflowCase(ch, ch);
      const x = tf.tensor4d(packF16(o.xv, ch), [1, 1, 2, ch / 2]);
      const w = tf.tensor4d(packF16(o.wv, ch), [1, 1, ch, ch / 2]);
      const y = conv2dTiled2(
        x,
        w,
        1,
        0,
        tileShape2ById('tiled2-128x16')!,
        numberFormat('f16', 'f32'),
      );
      const got = unpackF16((await y.data()) as Float32Array, ch);
      expect(Array.from(got), `${ch} channels`).toEqual(o.expected);
      tf.dispose([x, w, y]);
    }
  });
});
