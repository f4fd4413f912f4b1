import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { countDispatches } from '../benchmark/dispatch-counter';
import { dilationProblem, f32Ops, packedOps, type HeavyOps } from '../heavy-ops';
import { isPacked, markPacked } from '../packed/registry';
import { convGeometry } from './conv-geometry';
import { packF16, roundToF16, unpackF16, wordsOf } from './packed-test-utils';
import {
  conv2dFilterGradReference,
  conv2dInputGradReference,
  conv2dReference,
  f16ErrorRatio,
  f32ErrorRatio,
  randomValues,
  type ReferenceGeometry,
} from './reference';
import { batchToSpace, spaceToBatch } from './space-to-batch';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

/** A "same" dilated convolution: n×h×w×ci → co, k×k taps `d` apart, stride 1. */
interface DilatedCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  d: number;
}

// FCN's shapes (3×3 at dilation 2 and 4), sizes that are and are not multiples of d (the phases
// then differ in size), batch 1, a non-square input, a dilation as large as the input (every phase
// is one pixel), and a 1×1 with d > 1 (no padding: the phases are a pure permutation).
const CASES: DilatedCase[] = [
  { n: 2, h: 8, w: 8, ci: 8, co: 4, k: 3, d: 2 },
  { n: 1, h: 9, w: 7, ci: 4, co: 8, k: 3, d: 2 },
  { n: 2, h: 8, w: 8, ci: 4, co: 4, k: 3, d: 4 },
  { n: 1, h: 6, w: 10, ci: 8, co: 8, k: 3, d: 4 },
  { n: 1, h: 4, w: 4, ci: 4, co: 4, k: 3, d: 4 },
  { n: 2, h: 5, w: 6, ci: 4, co: 8, k: 1, d: 2 },
];

const describeCase = (c: DilatedCase) =>
  `n${c.n} ${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} dilation ${c.d}`;

const padOf = (c: DilatedCase) => (c.d * (c.k - 1)) / 2;

/** The case's geometry for the float64 references: same-size output, taps d apart. */
function geometryOf(c: DilatedCase): ReferenceGeometry {
  const g = convGeometry([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], 1, (c.k - 1) / 2);
  return { ...g, pad: padOf(c), dilation: c.d };
}

interface OpsUnderTest {
  name: string;
  ops: () => HeavyOps;
  packed: boolean;
}

// Each forced kernel family on f32 storage, the tuner's default choice, and FP16's packed f16
// storage with f32 and f16 arithmetic.
const OPS: OpsUnderTest[] = [
  { name: 'f32, direct kernels', ops: () => f32Ops('direct'), packed: false },
  { name: 'f32, tiled kernels', ops: () => f32Ops('tiled'), packed: false },
  { name: 'f32, default choice', ops: () => f32Ops('auto'), packed: false },
  { name: 'packed f16 storage, f32 arithmetic', ops: () => packedOps('f32'), packed: true },
  { name: 'packed f16 storage, f16 arithmetic', ops: () => packedOps('f16'), packed: true },
];

describe('dilated convolution as phase convolutions, against float64 references', () => {
  for (const o of OPS) {
    for (const c of CASES) {
      it(`${o.name}: ${describeCase(c)}: forward, input and filter gradients`, async () => {
        const ops = o.ops();
        const g = geometryOf(c);
        const draw = (seed: number, size: number) => {
          const v = randomValues(seed, size);
          return o.packed ? roundToF16(v) : v;
        };
        const xv = draw(1, c.n * c.h * c.w * c.ci);
        const wv = draw(2, c.k * c.k * c.ci * c.co);
        const dyv = draw(3, c.n * c.h * c.w * c.co);
        const activation = (v: Float32Array, channels: number) =>
          o.packed
            ? markPacked(tf.tensor4d(packF16(v, channels), [c.n, c.h, c.w, channels / 2]))
            : tf.tensor4d(v, [c.n, c.h, c.w, channels]);
        const x = activation(xv, c.ci);
        const dy = activation(dyv, c.co);
        const w = tf.tensor4d(wv, [c.k, c.k, c.ci, c.co]);
        const before = tf.memory().numTensors;
        const conv = (xi: tf.Tensor, wi: tf.Tensor) =>
          ops.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, padOf(c), c.d);
        // As the model runs it: inside tf.tidy, which frees the phases.
        const [y, dx, dw] = tf.tidy(() => [conv(x, w), ...tf.grads(conv)([x, w], dy)]) as [
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
        ];
        try {
          expect(isPacked(y)).toBe(o.packed);
          expect(isPacked(dx)).toBe(o.packed);
          const unpacked = async (t: tf.Tensor, channels: number) => {
            const data = (await t.data()) as Float32Array;
            return o.packed ? unpackF16(data, channels) : data;
          };
          const ratio = o.packed ? f16ErrorRatio : f32ErrorRatio;
          expect(y.shape).toEqual([c.n, c.h, c.w, o.packed ? c.co / 2 : c.co]);
          expect(
            ratio(await unpacked(y, c.co), conv2dReference(g, xv, wv)),
            'forward',
          ).toBeLessThanOrEqual(1);
          expect(
            ratio(await unpacked(dx, c.ci), conv2dInputGradReference(g, dyv, wv)),
            'input gradient',
          ).toBeLessThanOrEqual(1);
          const dwv = (await dw.data()) as Float32Array;
          expect(
            ratio(dwv, conv2dFilterGradReference(g, xv, dyv)),
            'filter gradient',
          ).toBeLessThanOrEqual(1);
        } finally {
          tf.dispose([y, dx, dw]);
        }
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, dy, w]);
      });
    }
  }
});

describe('space-to-batch permutations', () => {
  it('move 32-bit words bit for bit, including words that read as f32 denormals and NaNs', async () => {
    // 1×3×5 pixels of 2 words: bit patterns a float copy may flush or quieten.
    const patterns = [0x00000001, 0x00003c00, 0x7f800001, 0xffc00000, 0x80000000, 0x3c003c00];
    const words = Uint32Array.from({ length: 30 }, (_, i) => patterns[i % patterns.length]! + i);
    const x = markPacked(tf.tensor4d(new Float32Array(words.buffer), [1, 3, 5, 2])) as tf.Tensor4D;
    const phases = spaceToBatch(x, 2);
    expect(phases.shape).toEqual([4, 2, 3, 2]);
    expect(isPacked(phases)).toBe(true);
    const back = batchToSpace(phases, [1, 3, 5, 2], 2);
    expect(Array.from(wordsOf((await back.data()) as Float32Array))).toEqual(Array.from(words));
    // Phase (p, q) = (1, 0), batch index p·2 + q = 2: rows 1 (and 3, past the image: zeros),
    // columns 0, 2, 4.
    const phase = wordsOf((await phases.data()) as Float32Array).slice(2 * 12, 3 * 12);
    const at = (h: number, w: number, c: number) => words[(h * 5 + w) * 2 + c]!;
    expect(Array.from(phase)).toEqual([
      ...[at(1, 0, 0), at(1, 0, 1), at(1, 2, 0), at(1, 2, 1), at(1, 4, 0), at(1, 4, 1)],
      ...[0, 0, 0, 0, 0, 0],
    ]);
    tf.dispose([x, phases, back]);
  });

  it('a dilated convolution adds two dispatches to the phase convolution forward', () => {
    const ops = f32Ops('direct');
    const x = tf.randomNormal([1, 8, 8, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 4]) as tf.Tensor4D;
    const plain = countDispatches()!;
    tf.dispose(ops.conv2d(x, w, 1, 1));
    const ordinary = plain.stop();
    const counter = countDispatches()!;
    tf.dispose(ops.conv2d(x, w, 1, 2, 2));
    expect(counter.stop()).toBe(ordinary + 2);
    tf.dispose([x, w]);
  });
});

describe('dilationProblem', () => {
  it('accepts "same" padding at stride 1 and names what is wrong otherwise', () => {
    expect(dilationProblem(3, 1, 4, 4)).toBeNull();
    expect(dilationProblem(3, 1, 1, 1)).toBeNull();
    expect(dilationProblem(3, 2, 2, 2)).toBe('dilation 2 needs stride 1, not 2');
    expect(dilationProblem(3, 1, 1, 2)).toBe('dilation 2 of a 3×3 kernel needs padding 2, not 1');
  });
});
