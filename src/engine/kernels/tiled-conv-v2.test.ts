import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { isPacked } from '../packed/registry';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import { compiledPipelineCount, compilePipelinesAhead } from './dispatch';
import { packF16, roundToF16, unpackF16 } from './packed-test-utils';
import {
  conv2dFilterGradReference,
  conv2dInputGradReference,
  conv2dReference,
  f16ErrorRatio,
  f32ErrorRatio,
  randomValues,
  type Reference,
} from './reference';
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

// Every pipeline bakes its layer's geometry, so each case costs each shape 3–4 compiles: the sweep
// is chosen for coverage. Vec4 loads (channels in multiples of 4) and scalar ones (an RGB stem,
// 6 → 10, 5 → 3, 7 → 20); 1×1, 3×3, 7×7; stride 1 and 2, with odd and even input sizes under
// stride 2 (phases with a row or column fewer, phases without taps for 1×1/2); batch 1; a split
// reduction (n16); several tiles along M and N (68 → 72 wider than 64).
const CASES: Case[] = [
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

const geometryOf = (c: Case) =>
  convGeometry([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.s, c.p);
const describeCase = (c: Case) =>
  `n${c.n} ${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} /${c.s} pad ${c.p}`;

interface Fixture {
  g: ConvGeometry;
  xv: Float32Array;
  wv: Float32Array;
  dyv: Float32Array;
  refs: [Reference, Reference, Reference];
}

/** Inputs and float64 references of a case, computed once for all shapes. */
const fixtures = new Map<Case, Fixture>();
function fixtureOf(c: Case): Fixture {
  let f = fixtures.get(c);
  if (!f) {
    const g = geometryOf(c);
    const xv = randomValues(1, c.n * c.h * c.w * c.ci);
    const wv = randomValues(2, c.k * c.k * c.ci * c.co);
    const dyv = randomValues(3, c.n * g.outHeight * g.outWidth * c.co);
    const refs: Fixture['refs'] = [
      conv2dReference(g, xv, wv),
      conv2dInputGradReference(g, dyv, wv),
      conv2dFilterGradReference(g, xv, dyv),
    ];
    f = { g, xv, wv, dyv, refs };
    fixtures.set(c, f);
  }
  return f;
}

/** Runs the three ops with `shape` and checks them against float64 (f32 summation error). */
async function checkCase(c: Case, shape: TileShape2): Promise<void> {
  const { g, xv, wv, dyv, refs } = fixtureOf(c);
  const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
  const wShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  const x = tf.tensor4d(xv, xShape);
  const w = tf.tensor4d(wv, wShape);
  const dy = tf.tensor4d(dyv, [c.n, g.outHeight, g.outWidth, c.co]);
  const y = conv2dTiled2(x, w, c.s, c.p, shape);
  const dx = conv2dInputGradTiled2(dy, w, xShape, c.s, c.p, shape);
  const dw = conv2dFilterGradTiled2(x, dy, wShape, c.s, c.p, shape);
  expect(y.shape).toEqual([c.n, g.outHeight, g.outWidth, c.co]);
  expect(dx.shape).toEqual(xShape);
  expect(dw.shape).toEqual(wShape);
  const got = (await Promise.all([y.data(), dx.data(), dw.data()])) as Float32Array[];
  tf.dispose([x, w, dy, y, dx, dw]);
  for (let i = 0; i < 3; i++) {
    expect(f32ErrorRatio(got[i]!, refs[i]!), ['y', 'dx', 'dw'][i]).toBeLessThanOrEqual(1);
  }
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
    const { g, wv, dyv } = fixtureOf(c);
    const shape = tileShape2ById('tiled2-64x64')!;
    const shaders = tiledConv2Shaders('inputGrad', g, 'f32', shape);
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
    expect(() => tiledConv2Shaders('forward', g, 'f16', shape)).toThrow(/got f16/);
    expect(() => tiledConv2Shaders('forward', g, 'packed-f16', shape)).toThrow(/got packed-f16/);
    const odd = geometryOf(CASES[9]!);
    expect(() => tiledConv2Shaders('forward', odd, 'packed-f32', shape)).toThrow(/5→3/);
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
const PACKED_CASES: Case[] = [
  CASES[1]!,
  CASES[3]!,
  CASES[6]!,
  CASES[8]!,
  { n: 2, h: 9, w: 7, ci: 2, co: 2, k: 3, s: 2, p: 1 },
  CASES[11]!,
];

/**
 * packed-f32 on f16 inputs: activation outputs carry the f16 output rounding (f16 bound), the
 * filter gradient is f32 arithmetic, unrounded (f32 bound).
 */
async function checkPackedCase(c: Case, shape: TileShape2): Promise<void> {
  const g = geometryOf(c);
  const xv = roundToF16(randomValues(1, c.n * c.h * c.w * c.ci));
  const wv = roundToF16(randomValues(2, c.k * c.k * c.ci * c.co));
  const dyv = roundToF16(randomValues(3, c.n * g.outHeight * g.outWidth * c.co));
  const x = tf.tensor4d(packF16(xv, c.ci), [c.n, c.h, c.w, c.ci / 2]);
  const w = tf.tensor4d(packF16(wv, c.co), [c.k, c.k, c.ci, c.co / 2]);
  const dy = tf.tensor4d(packF16(dyv, c.co), [c.n, g.outHeight, g.outWidth, c.co / 2]);
  const p = 'packed-f32';
  const y = conv2dTiled2(x, w, c.s, c.p, shape, p);
  const dx = conv2dInputGradTiled2(dy, w, [c.n, c.h, c.w, c.ci], c.s, c.p, shape, p);
  const dw = conv2dFilterGradTiled2(x, dy, [c.k, c.k, c.ci, c.co], c.s, c.p, shape, p);
  expect(y.shape).toEqual([c.n, g.outHeight, g.outWidth, c.co / 2]);
  expect(dx.shape).toEqual([c.n, c.h, c.w, c.ci / 2]);
  expect([isPacked(y), isPacked(dx), isPacked(dw)]).toEqual([true, true, false]);
  const [yd, dxd, dwd] = (await Promise.all([y.data(), dx.data(), dw.data()])) as Float32Array[];
  tf.dispose([x, w, dy, y, dx, dw]);
  expect(f16ErrorRatio(unpackF16(yd!, c.co), conv2dReference(g, xv, wv)), 'y').toBeLessThanOrEqual(
    1,
  );
  const dxRef = conv2dInputGradReference(g, dyv, wv);
  expect(f16ErrorRatio(unpackF16(dxd!, c.ci), dxRef), 'dx').toBeLessThanOrEqual(1);
  const dwRef = conv2dFilterGradReference(g, xv, dyv);
  expect(f32ErrorRatio(dwd!, dwRef), 'dw').toBeLessThanOrEqual(1);
}

describe('second-generation tiled kernels in packed-f32 against float64 references', () => {
  const runs = TILE_SHAPES_2.flatMap((shape) =>
    PACKED_CASES.map((c) => ({ id: shape.id, shape, c, name: describeCase(c) })),
  );
  it.each(runs)('$id: $name', async ({ shape, c }) => {
    await checkPackedCase(c, shape);
  });

  it('a value beyond the f16 range is stored as ±Inf, with 4 and 2 channels', async () => {
    // 1×1 convs: 300 · 300 = 90000 > 65504.
    for (const ch of [4, 2]) {
      const xv = new Float32Array(2 * ch);
      xv[0] = 300;
      xv[ch] = -300;
      const wv = new Float32Array(ch * ch);
      wv[0] = 300;
      const x = tf.tensor4d(packF16(xv, ch), [1, 1, 2, ch / 2]);
      const w = tf.tensor4d(packF16(wv, ch), [1, 1, ch, ch / 2]);
      const y = conv2dTiled2(x, w, 1, 0, tileShape2ById('tiled2-128x16')!, 'packed-f32');
      const got = unpackF16((await y.data()) as Float32Array, ch);
      const expected = new Float32Array(2 * ch);
      expected[0] = Infinity;
      expected[ch] = -Infinity;
      expect(Array.from(got)).toEqual(Array.from(expected));
      tf.dispose([x, w, y]);
    }
  });
});
