import * as tf from '@tensorflow/tfjs-core';
import {
  runProgram,
  runProgramOutputs,
  type ShaderSource,
  type FlaggedShader,
} from '../kernels/dispatch';
import { overflowFlagWgsl } from '../kernels/f16-rounding';
import { packWgsl, requireEvenChannels } from './layout';
import { elementGrid } from './pack';
import { markPacked } from './registry';

/**
 * The pools of a ResNet on packed NHWC activations ([N, H, W, C/2], C even), one dispatch forward
 * and one backward each, one invocation per packed word (channel pair), sums in f32. Backward
 * passes gather (each input word reads the outputs whose windows hold it): no atomics, every
 * gradient word written once.
 */

const WORKGROUP = 64;

/** WGSL: the (n, row, col, k) of element i of a [N, rows, cols, words] tensor. */
const COORDS_WGSL = /* wgsl */ `
fn coords(i: u32, rows: u32, cols: u32, words: u32) -> vec4<u32> {
  let k = i % words;
  let t = i / words;
  return vec4<u32>(t / (cols * rows), (t / cols) % rows, t % cols, k);
}`;

/**
 * One pool shader. A backward one (`gradient`) raises the overflow flag when it packs a value
 * beyond the f16 range; its flag follows the uniforms, the last of `bindings`.
 */
function shader(label: string, bindings: string, body: string, gradient = false): FlaggedShader {
  const uniformBinding = Number(/@binding\((\d+)\) var<uniform>/.exec(bindings)![1]);
  const code = /* wgsl */ `
struct Uniforms { SIZE: u32, H: u32, W: u32, OH: u32, OW: u32, WORDS: u32 };
${bindings}${gradient ? overflowFlagWgsl(uniformBinding + 1) : ''}
${packWgsl(gradient)}
${COORDS_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
${body}
}`;
  return { code, label, overflowFlag: gradient };
}

/** Global average pool: one invocation per (n, word), a loop over H·W. Output f32 [N, C]. */
const GAP = shader(
  'packed-global-avg-pool',
  `@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;`,
  `  let n = i / u.WORDS;
  let k = i % u.WORDS;
  let plane = u.H * u.W;
  var s = vec2<f32>(0.0);
  for (var p = 0u; p < plane; p++) { s += unpackWord(x[(n * plane + p) * u.WORDS + k]); }
  s /= f32(plane);
  y[n * 2u * u.WORDS + 2u * k] = s.x;
  y[n * 2u * u.WORDS + 2u * k + 1u] = s.y;`,
);

const GAP_BACKWARD = shader(
  'packed-global-avg-pool-backward',
  `@group(0) @binding(0) var<storage, read_write> dx: array<u32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;`,
  `  let c = coords(i, u.H, u.W, u.WORDS);
  let o = c.x * 2u * u.WORDS + 2u * c.w;
  dx[i] = packWord(vec2<f32>(dy[o], dy[o + 1u]) / f32(u.H * u.W));`,
  true,
);

/** 2×2 stride 2, ceil mode, padding not counted: an odd edge averages the 1 or 2 real values. */
const AVG = shader(
  'packed-avg-pool-2x2-ceil',
  `@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;`,
  `  let c = coords(i, u.OH, u.OW, u.WORDS);
  let h1 = min(2u * c.y + 1u, u.H - 1u);
  let w1 = min(2u * c.z + 1u, u.W - 1u);
  var s = vec2<f32>(0.0);
  for (var h = 2u * c.y; h <= h1; h++) {
    for (var w = 2u * c.z; w <= w1; w++) { s += unpackWord(x[((c.x * u.H + h) * u.W + w) * u.WORDS + c.w]); }
  }
  y[i] = packWord(s / f32((h1 - 2u * c.y + 1u) * (w1 - 2u * c.z + 1u)));`,
);

const AVG_BACKWARD = shader(
  'packed-avg-pool-2x2-ceil-backward',
  `@group(0) @binding(0) var<storage, read_write> dx: array<u32>;
@group(0) @binding(1) var<storage, read> dy: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;`,
  `  let c = coords(i, u.H, u.W, u.WORDS);
  let oh = c.y / 2u;
  let ow = c.z / 2u;
  let count = f32((min(2u * oh + 1u, u.H - 1u) - 2u * oh + 1u) * (min(2u * ow + 1u, u.W - 1u) - 2u * ow + 1u));
  dx[i] = packWord(unpackWord(dy[((c.x * u.OH + oh) * u.OW + ow) * u.WORDS + c.w]) / count);`,
  true,
);

/**
 * 3×3 stride 2, padding 1 (padding never wins). Besides y it writes, per output word, the window
 * tap (0..8, row-major) of each half's maximum, the FIRST maximum in row-major order on ties,
 * (low half in bits 0-3, high half in bits 4-7): backward needs neither x nor y then.
 */
const MAX = shader(
  'packed-max-pool-3x3-s2',
  `@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<storage, read_write> taps: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;`,
  `  let c = coords(i, u.OH, u.OW, u.WORDS);
  var best = vec2<f32>(0.0);
  var tap = vec2<u32>(0u);
  var found = false;
  for (var dh = 0u; dh < 3u; dh++) {
    let h = 2u * c.y + dh;
    if (h < 1u || h > u.H) { continue; }
    for (var dw = 0u; dw < 3u; dw++) {
      let w = 2u * c.z + dw;
      if (w < 1u || w > u.W) { continue; }
      let v = unpackWord(x[((c.x * u.H + h - 1u) * u.W + w - 1u) * u.WORDS + c.w]);
      let t = dh * 3u + dw;
      let better = (v > best) | vec2<bool>(!found);
      best = select(best, v, better);
      tap = select(tap, vec2<u32>(t), better);
      found = true;
    }
  }
  y[i] = packWord(best);
  taps[i] = tap.x | (tap.y << 4u);`,
);

const MAX_BACKWARD = shader(
  'packed-max-pool-3x3-s2-backward',
  `@group(0) @binding(0) var<storage, read_write> dx: array<u32>;
@group(0) @binding(1) var<storage, read> dy: array<u32>;
@group(0) @binding(2) var<storage, read> taps: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;`,
  `  let c = coords(i, u.H, u.W, u.WORDS);
  var s = vec2<f32>(0.0);
  // Input row h sits at window row dh = h + 1 − 2·oh of outputs oh = ⌊(h+1)/2⌋ − 1 and ⌊(h+1)/2⌋.
  for (var a = 0u; a < 2u; a++) {
    let ohp = (c.y + 1u) / 2u + a; // oh + 1, unsigned
    if (ohp < 1u || ohp > u.OH) { continue; }
    let oh = ohp - 1u;
    let dh = c.y + 1u - 2u * oh;
    if (dh > 2u) { continue; }
    for (var b = 0u; b < 2u; b++) {
      let owp = (c.z + 1u) / 2u + b;
      if (owp < 1u || owp > u.OW) { continue; }
      let ow = owp - 1u;
      let dw = c.z + 1u - 2u * ow;
      if (dw > 2u) { continue; }
      let o = ((c.x * u.OH + oh) * u.OW + ow) * u.WORDS + c.w;
      let t = taps[o];
      let here = vec2<u32>(dh * 3u + dw);
      let hit = vec2<u32>(t & 15u, (t >> 4u) & 15u) == here;
      s += select(vec2<f32>(0.0), unpackWord(dy[o]), hit);
    }
  }
  dx[i] = packWord(s);`,
  true,
);

/** Every shader of the packed pools, to compile ahead. */
export const PACKED_POOL_SHADERS: ShaderSource[] = [
  GAP,
  GAP_BACKWARD,
  AVG,
  AVG_BACKWARD,
  MAX,
  MAX_BACKWARD,
];

function dims(label: string, x: tf.Tensor, channels?: number): [number, number, number, number] {
  if (x.rank !== 4) throw new Error(`${label}: needs a packed [N, H, W, C/2] tensor`);
  const [n, h, w, words] = x.shape as [number, number, number, number];
  if (channels !== undefined) {
    requireEvenChannels(label, channels);
    if (words * 2 !== channels)
      throw new Error(`${label}: ${words} words ≠ ${channels} channels / 2`);
  }
  return [n, h, w, words];
}

/**
 * Mean over H and W of packed x ([N, H, W, C/2]) as f32 [N, C]; differentiable (the gradient of x
 * is packed and marked).
 */
export function globalAvgPoolPacked(x: tf.Tensor4D, channels: number): tf.Tensor2D {
  const [n, h, w, words] = dims('globalAvgPoolPacked', x, channels);
  const uniforms = [0, h, w, 1, 1, words];
  const op = tf.customGrad((xIn) => ({
    value: runProgram(
      { ...GAP, uniforms: [n * words, ...uniforms.slice(1)], grid: elementGrid(n * words) },
      [xIn as tf.Tensor],
      [n, channels],
    ),
    gradFunc: (dy: tf.Tensor) =>
      markPacked(
        runProgram(
          { ...GAP_BACKWARD, uniforms: [x.size, ...uniforms.slice(1)], grid: elementGrid(x.size) },
          [dy],
          x.shape,
        ),
      ),
  }));
  return op(x) as tf.Tensor2D;
}

/**
 * pooling.ts's avgPool2x2Ceil on packed x: 2×2, stride 2, ceil mode, padding not counted.
 * Packed [N, ⌈H/2⌉, ⌈W/2⌉, C/2], marked; differentiable (the true gradient at odd edges).
 */
export function avgPool2x2CeilPacked(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, words] = dims('avgPool2x2CeilPacked', x);
  const oh = Math.ceil(h / 2);
  const ow = Math.ceil(w / 2);
  const outShape = [n, oh, ow, words];
  const outSize = n * oh * ow * words;
  const op = tf.customGrad((xIn) => ({
    value: markPacked(
      runProgram(
        { ...AVG, uniforms: [outSize, h, w, oh, ow, words], grid: elementGrid(outSize) },
        [xIn as tf.Tensor],
        outShape,
      ),
    ),
    gradFunc: (dy: tf.Tensor) =>
      markPacked(
        runProgram(
          { ...AVG_BACKWARD, uniforms: [x.size, h, w, oh, ow, words], grid: elementGrid(x.size) },
          [dy],
          x.shape,
        ),
      ),
  }));
  return op(x) as tf.Tensor4D;
}

/**
 * tf.maxPool(x, 3, 2, 1) on packed x: output packed [N, ⌊(H−1)/2⌋+1, ⌊(W−1)/2⌋+1, C/2], marked;
 * differentiable, the gradient going to the FIRST maximum of each window in row-major order (as
 * tfjs's CPU backend; tfjs's WebGPU backend takes the last, `>=`; ties only matter for equal
 * values, e.g. after a ReLU's zeros). Backward keeps one u32 of tap indices per output word (a
 * quarter of the packed output), not the activations.
 */
export function maxPool3x3s2Packed(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, words] = dims('maxPool3x3s2Packed', x);
  const oh = Math.floor((h - 1) / 2) + 1;
  const ow = Math.floor((w - 1) / 2) + 1;
  const outShape = [n, oh, ow, words];
  const outSize = n * oh * ow * words;
  const op = tf.customGrad((xIn, save) => {
    const [y, taps] = runProgramOutputs(
      { ...MAX, uniforms: [outSize, h, w, oh, ow, words], grid: elementGrid(outSize) },
      [xIn as tf.Tensor],
      [outShape, outShape],
    ) as [tf.Tensor, tf.Tensor];
    (save as tf.GradSaveFunc)([taps]);
    return {
      value: markPacked(y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        markPacked(
          runProgram(
            { ...MAX_BACKWARD, uniforms: [x.size, h, w, oh, ow, words], grid: elementGrid(x.size) },
            [dy, saved[0]!],
            x.shape,
          ),
        ),
    };
  });
  return op(x) as tf.Tensor4D;
}
