import * as tf from '@tensorflow/tfjs-core';
import type { ConvOp } from '../../tuning-plan/plan';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import {
  backendDevice,
  runProgram,
  workgroupGrid,
  type ShaderSource,
  type FlaggedShader,
} from './dispatch';
import { f16RoundingWgsl, overflowFlagWgsl } from './f16-rounding';
import { F32, formatKey, numberFormat, type NumberFormat } from '../../config/number-format';
import { markPacked } from '../packed/registry';

/**
 * Direct convolution kernels for the shapes a ResNet has (NHWC, channels in multiples of 4):
 * forward, input gradient and filter gradient, in f32, f16 or emulated f16. Channels are read as
 * vec4 and every invocation keeps a 4×4 block of weights in a mat4x4, so each load feeds four
 * multiply-adds; there is no workgroup memory and no barrier. Stock tfjs convolutions (implicit
 * GEMM with a shared-memory tile, and a filter gradient with one invocation per weight looping over
 * the whole batch) are built for wide layers; `npm run bench:fp16` and the per-layer table of
 * `npm run bench` time both on the adapter at hand (docs/benchmark.md).
 *
 * Number formats (config/number-format.ts), with the same numerics as the f16 GEMM kernels:
 * - f32 storage: with 'f16' arithmetic every loaded vec4 becomes vec4<f16>, each 4×4 block product
 *   (four products and their sum) is f16 arithmetic and the sums across blocks accumulate in f32;
 *   outputs are rounded to f16, beyond its range to ±Inf (tensors hold f16 values in FP16 runs).
 *   'emulated' does the same in f32 with explicit f16 rounding, for adapters without shader-f16.
 * - f16 storage: activations, their gradients and the weights are packed f16 tensors (two f16 per
 *   32-bit word, channel 2k in the low half; see engine/packed/registry.ts), which halves the
 *   bytes every load and store moves; 'f16' arithmetic as above (needs shader-f16), or 'f32'
 *   (core WGSL, every adapter). Forward and input gradient write packed outputs (rounded to f16,
 *   beyond its range ±Inf); the filter gradient writes f32 (it feeds the f32 master weights):
 *   unrounded with f32 arithmetic, rounded to f16 values with f16 arithmetic.
 */

/** The formats with f16 storage: f16 and f32 arithmetic. */
export const F16_STORAGE_FORMATS: readonly NumberFormat[] = [
  numberFormat('f16', 'f16'),
  numberFormat('f16', 'f32'),
];

/** How one format loads, multiplies and stores (WGSL snippets); shared with tiled-conv.ts. */
export interface Flavor {
  header: string;
  /** Scalar type of the loaded values and the weight blocks. */
  T: 'f32' | 'f16';
  /** Activations and weights are packed f16 words (two channels per u32). */
  packed: boolean;
  /**
   * Its roundings to f16 raise the overflow flag (f16-rounding.ts): the gradient ops'. A shader
   * of a flagged flavor declares the flag with `flagBinding` after its uniforms.
   */
  flagged: boolean;
  /** The flag's declaration at `binding` when flagged, else nothing. */
  flagBinding(binding: number): string;
  /** Storage type of 4 consecutive channels: vec4<f32>, or vec2<u32> when packed. */
  word4: string;
  /** Storage type of 1 channel (f32), or of a channel pair when packed (u32). */
  word: string;
  /** A stored word4 → vec4<f32>. */
  unpack(e: string): string;
  /** vec4<f32> → vec4<T>. */
  load(e: string): string;
  /** A vec4<T> block product → the vec4<f32> that is accumulated. */
  product(e: string): string;
  /** A vec4<f32> sum → the vec4<f32> stored in an f32 output (filter gradients, split partials). */
  store(e: string): string;
  /** A vec4<f32> sum → the word4 stored in an activation output (packed: rounded and packed). */
  pack(e: string): string;
}

/** Packed f16 words (core WGSL: no shader-f16 needed), every value defined (f16-rounding.ts). */
const PACKING = /* wgsl */ `
fn unpack4(w: vec2<u32>) -> vec4<f32> { return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)); }
fn pack4(v: vec4<f32>) -> vec2<u32> {
  let h = toF16Bits4(v);
  return vec2<u32>(h.x | (h.y << 16u), h.z | (h.w << 16u));
}
fn unpackAt(w: u32, i: u32) -> f32 { return unpack2x16float(w)[i % 2u]; }`;

const identity = (e: string) => e;

/**
 * Whether op's shaders in `format` raise the overflow flag: the gradient ops of every format that
 * rounds to f16 (f32 and the forward never do; with f16 storage and f32 arithmetic the filter
 * gradient is f32, unrounded).
 */
export function flagsOverflow(op: ConvOp, format: NumberFormat): boolean {
  if (format === F32 || op === 'forward') return false;
  return op === 'inputGrad' || format.arithmetic !== 'f32';
}

/** The arithmetic of a format, as if on f32 storage. */
function arithmetic(format: NumberFormat, flagged: boolean): Flavor {
  const storage = {
    packed: false,
    flagged,
    flagBinding: (binding: number) => (flagged ? overflowFlagWgsl(binding) : ''),
    word4: 'vec4<f32>',
    word: 'f32',
    unpack: identity,
  };
  const rounding = f16RoundingWgsl(flagged);
  if (format.arithmetic === 'f32') {
    return {
      ...storage,
      // f16 storage rounds as it packs.
      header: format.storage === 'f32' ? '' : rounding,
      T: 'f32',
      load: identity,
      product: identity,
      store: identity,
      pack: identity,
    };
  }
  if (format.arithmetic === 'f16') {
    return {
      ...storage,
      header: `enable f16;\n${rounding}`,
      T: 'f16',
      load: (e) => `vec4<f16>(round16v(${e}))`,
      product: (e) => `vec4<f32>(${e})`,
      store: (e) => `round16v(${e})`,
      pack: (e) => `round16v(${e})`,
    };
  }
  return {
    ...storage,
    header: rounding,
    T: 'f32',
    load: (e) => `round16v(${e})`,
    product: (e) => `round16v(${e})`,
    store: (e) => `round16v(${e})`,
    pack: (e) => `round16v(${e})`,
  };
}

/**
 * f16 storage on top of an arithmetic: loads unpack (the values are f16 already, so the f16
 * arithmetic converts without rounding), activation outputs round and pack.
 */
function packedStorage(f: Flavor): Flavor {
  return {
    ...f,
    header: `${f.header}${PACKING}`,
    packed: true,
    word4: 'vec2<u32>',
    word: 'u32',
    unpack: (e) => `unpack4(${e})`,
    load: (e) => (f.T === 'f16' ? `vec4<f16>(${e})` : e),
    pack: (e) => `pack4(${e})`,
  };
}

/** The flavor of `format`; `flagged` for the ops that raise the overflow flag (flagsOverflow). */
export function flavorOf(format: NumberFormat, flagged = false): Flavor {
  const f = arithmetic(format, flagged);
  return format.storage === 'f16' ? packedStorage(f) : f;
}

/** A stored shape → its logical shape (a packed last axis holds two channels per word). */
export function logicalShape<S extends readonly number[]>(shape: S, p: NumberFormat): S {
  if (p.storage === 'f32') return shape;
  return shape.map((d, i) => (i === shape.length - 1 ? 2 * d : d)) as unknown as S;
}

/** A logical activation shape → its stored shape (packed: ceil(C/2) words on the last axis). */
export function storedShape<S extends readonly number[]>(shape: S, p: NumberFormat): S {
  if (p.storage === 'f32') return shape;
  return shape.map((d, i) => (i === shape.length - 1 ? Math.ceil(d / 2) : d)) as unknown as S;
}

/** Marks an activation output packed under f16 storage (registry.ts's contract). */
export function markOutput<T extends tf.Tensor>(t: T, p: NumberFormat): T {
  return p.storage === 'f16' ? markPacked(t) : t;
}

/** Output pixels along the width that one invocation computes (reuses each loaded weight block). */
export const PIXELS_PER_INVOCATION = 8;
const WORKGROUP = 64;
/** Rows of the batch·height·width reduction each filter-gradient invocation sums at least. */
const MIN_ROWS_PER_SPLIT = 256;
/** Invocations the filter gradient aims for, so that a wide GPU is busy even for small filters. */
const TARGET_INVOCATIONS = 8192;

/** True when the direct kernels can run this convolution (channels in multiples of 4). */
export function directConvApplies(inChannels: number, outChannels: number): boolean {
  return inChannels % 4 === 0 && outChannels % 4 === 0;
}

const GEOMETRY_FIELDS = ['N', 'H', 'W', 'CI4', 'CO4', 'KH', 'KW', 'S', 'P', 'OH', 'OW'] as const;
const GEOMETRY_STRUCT = GEOMETRY_FIELDS.map((f) => `  ${f}: u32,`).join('\n');

function geometryUniforms(g: ConvGeometry): number[] {
  const values: Record<(typeof GEOMETRY_FIELDS)[number], number> = {
    N: g.batch,
    H: g.inHeight,
    W: g.inWidth,
    CI4: g.inChannels / 4,
    CO4: g.outChannels / 4,
    KH: g.kernelHeight,
    KW: g.kernelWidth,
    S: g.stride,
    P: g.pad,
    OH: g.outHeight,
    OW: g.outWidth,
  };
  return GEOMETRY_FIELDS.map((f) => values[f]);
}

/** The flat invocation index over a 2-D grid of 64-wide workgroups (dispatch limits). */
const FLAT_ID = /* wgsl */ `
fn flatId(gid: vec3<u32>, groups: vec3<u32>) -> u32 { return gid.x + gid.y * groups.x * ${WORKGROUP}u; }`;

/** A stored vec4 of channels → vec4<T>. */
const read = (f: Flavor, e: string) => f.load(f.unpack(e));

/** y[n, oh, ow, co]: one invocation = PX consecutive ow × 4 output channels. */
const forwardWgsl = (f: Flavor) => /* wgsl */ `${f.header}
struct Uniforms {
${GEOMETRY_STRUCT}
  BLOCKS_W: u32,
  TOTAL: u32,
};
@group(0) @binding(0) var<storage, read_write> y: array<${f.word4}>;
@group(0) @binding(1) var<storage, read> x: array<${f.word4}>;
@group(0) @binding(2) var<storage, read> w: array<${f.word4}>;
@group(0) @binding(3) var<uniform> u: Uniforms;
const PX: u32 = ${PIXELS_PER_INVOCATION}u;
const XW: u32 = (PX - 1u) * S + KW;
${FLAT_ID}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let id = flatId(gid, groups);
  if (id >= u.TOTAL) { return; }
  let co4 = id % u.CO4;
  var rest = id / u.CO4;
  let ow0 = (rest % u.BLOCKS_W) * PX;
  rest = rest / u.BLOCKS_W;
  let oh = rest % u.OH;
  let n = rest / u.OH;
  var acc: array<vec4<f32>, PX>;
  let iw0 = i32(ow0 * u.S) - i32(u.P);
  for (var kh = 0u; kh < u.KH; kh++) {
    let ih = i32(oh * u.S + kh) - i32(u.P);
    if (ih < 0 || ih >= i32(u.H)) { continue; }
    let xRow = (n * u.H + u32(ih)) * u.W;
    for (var c4 = 0u; c4 < u.CI4; c4++) {
      // The input row segment all PX outputs and KW taps read, loaded once.
      var xs: array<vec4<${f.T}>, XW>;
      for (var t = 0u; t < XW; t++) {
        let iw = iw0 + i32(t);
        if (iw >= 0 && iw < i32(u.W)) { xs[t] = ${read(f, 'x[(xRow + u32(iw)) * u.CI4 + c4]')}; }
      }
      for (var kw = 0u; kw < u.KW; kw++) {
        // Columns: the weights of input channels 4·c4 … 4·c4+3, each a vec4 over 4 outputs.
        let wi = ((kh * u.KW + kw) * u.CI4 * 4u + c4 * 4u) * u.CO4 + co4;
        let m = mat4x4<${f.T}>(${read(f, 'w[wi]')}, ${read(f, 'w[wi + u.CO4]')},
                               ${read(f, 'w[wi + 2u * u.CO4]')}, ${read(f, 'w[wi + 3u * u.CO4]')});
        for (var p = 0u; p < PX; p++) { acc[p] += ${f.product('m * xs[p * u.S + kw]')}; }
      }
    }
  }
  for (var p = 0u; p < PX; p++) {
    let ow = ow0 + p;
    if (ow < u.OW) { y[((n * u.OH + oh) * u.OW + ow) * u.CO4 + co4] = ${f.pack('acc[p]')}; }
  }
}`;

/**
 * dx[n, ih, iw, ci] = Σ dy[n, oh, ow, co]·w[kh, kw, ci, co] over the taps with
 * oh·S + kh − P = ih and ow·S + kw − P = iw: one invocation = PX consecutive iw × 4 channels.
 */
const inputGradWgsl = (f: Flavor) => /* wgsl */ `${f.header}
struct Uniforms {
${GEOMETRY_STRUCT}
  BLOCKS_W: u32,
  TOTAL: u32,
};
@group(0) @binding(0) var<storage, read_write> dx: array<${f.word4}>;
@group(0) @binding(1) var<storage, read> dy: array<${f.word4}>;
@group(0) @binding(2) var<storage, read> w: array<${f.word4}>;
@group(0) @binding(3) var<uniform> u: Uniforms;${f.flagBinding(4)}
const PX: u32 = ${PIXELS_PER_INVOCATION}u;
${FLAT_ID}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let id = flatId(gid, groups);
  if (id >= u.TOTAL) { return; }
  let ci4 = id % u.CI4;
  var rest = id / u.CI4;
  let iw0 = (rest % u.BLOCKS_W) * PX;
  rest = rest / u.BLOCKS_W;
  let ih = rest % u.H;
  let n = rest / u.H;
  var acc: array<vec4<f32>, PX>;
  for (var kh = 0u; kh < u.KH; kh++) {
    let th = i32(ih + u.P) - i32(kh);
    if (th < 0 || u32(th) % u.S != 0u) { continue; }
    let oh = u32(th) / u.S;
    if (oh >= u.OH) { continue; }
    let dyRow = (n * u.OH + oh) * u.OW;
    for (var kw = 0u; kw < u.KW; kw++) {
      let wTap = ((kh * u.KW + kw) * u.CI4 + ci4) * 4u;
      for (var c4 = 0u; c4 < u.CO4; c4++) {
        // Column j: the weights of input channel 4·ci4 + j over output channels 4·c4 … 4·c4+3.
        let wi = wTap * u.CO4 + c4;
        let m = mat4x4<${f.T}>(${read(f, 'w[wi]')}, ${read(f, 'w[wi + u.CO4]')},
                               ${read(f, 'w[wi + 2u * u.CO4]')}, ${read(f, 'w[wi + 3u * u.CO4]')});
        for (var p = 0u; p < PX; p++) {
          let tw = i32(iw0 + p + u.P) - i32(kw);
          if (tw < 0 || u32(tw) % u.S != 0u) { continue; }
          let ow = u32(tw) / u.S;
          if (ow >= u.OW) { continue; }
          acc[p] += ${f.product(`${read(f, 'dy[(dyRow + ow) * u.CO4 + c4]')} * m`)};
        }
      }
    }
  }
  for (var p = 0u; p < PX; p++) {
    let iw = iw0 + p;
    if (iw < u.W) { dx[((n * u.H + ih) * u.W + iw) * u.CI4 + ci4] = ${f.pack('acc[p]')}; }
  }
}`;

/**
 * Partial filter gradients: split s sums rows [s·ROWS, (s+1)·ROWS) of the n·oh·ow reduction for
 * one 4×4 block (kh, kw, 4 input channels, 4 output channels). Output [SPLITS, kh, kw, ci, co].
 */
const filterGradWgsl = (f: Flavor) => /* wgsl */ `${f.header}
struct Uniforms {
${GEOMETRY_STRUCT}
  ROWS: u32,
  BLOCKS: u32,
  SPLITS: u32,
};
@group(0) @binding(0) var<storage, read_write> partial: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> x: array<${f.word4}>;
@group(0) @binding(2) var<storage, read> dy: array<${f.word4}>;
@group(0) @binding(3) var<uniform> u: Uniforms;${f.flagBinding(4)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let block = gid.x;
  if (block >= u.BLOCKS) { return; }
  let split = gid.y;
  let co4 = block % u.CO4;
  var rest = block / u.CO4;
  let ci4 = rest % u.CI4;
  rest = rest / u.CI4;
  let kw = rest % u.KW;
  let kh = rest / u.KW;
  let total = u.N * u.OH * u.OW;
  let start = split * u.ROWS;
  let end = min(total, start + u.ROWS);
  var acc = mat4x4<f32>();
  var ow = start % u.OW;
  var oh = (start / u.OW) % u.OH;
  var n = start / (u.OW * u.OH);
  for (var r = start; r < end; r++) {
    let ih = i32(oh * u.S + kh) - i32(u.P);
    let iw = i32(ow * u.S + kw) - i32(u.P);
    if (ih >= 0 && iw >= 0 && ih < i32(u.H) && iw < i32(u.W)) {
      let xv = ${read(f, 'x[((n * u.H + u32(ih)) * u.W + u32(iw)) * u.CI4 + ci4]')};
      let g = ${read(f, 'dy[r * u.CO4 + co4]')};
      acc += mat4x4<f32>(${f.product('g * xv.x')}, ${f.product('g * xv.y')},
                         ${f.product('g * xv.z')}, ${f.product('g * xv.w')});
    }
    ow++;
    if (ow == u.OW) {
      ow = 0u;
      oh++;
      if (oh == u.OH) { oh = 0u; n++; }
    }
  }
  let base = split * u.BLOCKS * 4u + ((kh * u.KW + kw) * u.CI4 + ci4) * 4u * u.CO4 + co4;
  // Split partials stay unrounded until the sum pass (a partial beyond the f16 range is no
  // overflow: the sum may not be); a single split is the result itself.
  for (var j = 0u; j < 4u; j++) {
    if (u.SPLITS == 1u) {
      partial[base + j * u.CO4] = ${f.store('acc[j]')};
    } else {
      partial[base + j * u.CO4] = acc[j];
    }
  }
}`;

/** result[i] = Σ_s partial[s, i] over vec4s. */
const sumSplitsWgsl = (f: Flavor) => /* wgsl */ `${f.header}
struct Uniforms { SPLITS: u32, SIZE4: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> partial: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> u: Uniforms;${f.flagBinding(3)}
${FLAT_ID}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flatId(gid, groups);
  if (i >= u.SIZE4) { return; }
  var sum = vec4<f32>();
  for (var s = 0u; s < u.SPLITS; s++) { sum += partial[s * u.SIZE4 + i]; }
  result[i] = ${f.store('sum')};
}`;

/**
 * Geometry fields baked into the shader as constants: the tap loops unroll and the forward's
 * input window gets a fixed size. Channels stay uniforms: baking them too unrolled the channel
 * loops and made a cold compile of a ResNet's shaders take ~40 s on lavapipe.
 */
const BAKED_FIELDS = ['KH', 'KW', 'S', 'P'] as const;

/**
 * `code` with the baked fields of `g` as WGSL constants instead of uniforms: one pipeline per
 * (kernel size, stride, padding), of which a ResNet has about five; batch, image size and
 * channels stay uniforms.
 */
function specialize(code: string, g: ConvGeometry): string {
  const values = geometryUniforms(g);
  const lines = BAKED_FIELDS.map(
    (f) => `const ${f}: u32 = ${values[GEOMETRY_FIELDS.indexOf(f)]}u;`,
  );
  let body = code;
  for (const f of BAKED_FIELDS) body = body.replace(new RegExp(`\\bu\\.${f}\\b`, 'g'), f);
  // Directives (`enable f16;`) must stay first.
  const directive = /^\s*enable f16;\n/.exec(body)?.[0] ?? '';
  return `${directive}${lines.join('\n')}\n${body.slice(directive.length)}`;
}

/** Channels the direct kernels run with: 3 (an RGB stem) is zero-padded to 4 (see F32_OPS). */
export function paddedChannels(channels: number): number {
  return Math.ceil(channels / 4) * 4;
}

/**
 * The shader of one conv kernel for a geometry and number format (specialized). Labels start with the
 * kernel id and name the op (conv-registry.ts): GPU error messages quote them, and the compile
 * failpoint finds a kernel's pipelines by them.
 */
const convShader =
  (template: (f: Flavor) => string, op: ConvOp) =>
  (g: ConvGeometry, p: NumberFormat): FlaggedShader => ({
    code: specialize(template(flavorOf(p, flagsOverflow(op, p))), g),
    label: `direct ${op} ${formatKey(p)}`,
    overflowFlag: flagsOverflow(op, p),
  });
const forwardShader = convShader(forwardWgsl, 'forward');
const inputGradShader = convShader(inputGradWgsl, 'inputGrad');
const filterGradShader = convShader(filterGradWgsl, 'filterGrad');
const sumSplitsShader = (p: NumberFormat): FlaggedShader => ({
  code: sumSplitsWgsl(flavorOf(p, flagsOverflow('filterGrad', p))),
  label: `direct filterGrad-sum ${formatKey(p)}`,
  overflowFlag: flagsOverflow('filterGrad', p),
});

/** The shaders `op` runs for this geometry (the filter gradient's split sum included), to compile ahead. */
export function directConvShaders(
  op: ConvOp,
  g: ConvGeometry,
  format: NumberFormat,
): ShaderSource[] {
  checkChannels(g);
  if (op === 'forward') return [forwardShader(g, format)];
  if (op === 'inputGrad') return [inputGradShader(g, format)];
  return [filterGradShader(g, format), sumSplitsShader(format)];
}

/** Workgroups for `invocations` one-per-thread, as a 2-D grid within the dispatch limit. */
const grid = (invocations: number) => workgroupGrid(Math.ceil(invocations / WORKGROUP));

function checkChannels(g: ConvGeometry): void {
  if (!directConvApplies(g.inChannels, g.outChannels)) {
    throw new Error(
      `direct conv: channels must be multiples of 4 (got ${g.inChannels}→${g.outChannels})`,
    );
  }
}

/**
 * y = conv2d(x, w) with symmetric zero padding `pad`; x [n, h, w, cin], w [kh, kw, cin, cout]
 * (f16 storage: x [n, h, w, cin/2], w [kh, kw, cin, cout/2] and y [n, oh, ow, cout/2]).
 */
export function conv2dDirect(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  format: NumberFormat = F32,
): tf.Tensor4D {
  const g = convGeometry(logicalShape(x.shape, format), logicalShape(w.shape, format), stride, pad);
  checkChannels(g);
  const blocksW = Math.ceil(g.outWidth / PIXELS_PER_INVOCATION);
  const total = g.batch * g.outHeight * blocksW * (g.outChannels / 4);
  const program = {
    ...forwardShader(g, format),
    uniforms: [...geometryUniforms(g), blocksW, total],
    grid: grid(total),
  };
  const shape = storedShape([g.batch, g.outHeight, g.outWidth, g.outChannels], format);
  return markOutput(runProgram(program, [x, w], shape) as tf.Tensor4D, format);
}

/**
 * dL/dx of conv2dDirect given dy = dL/dy [n, oh, ow, cout]; `xShape` is logical (packed: the
 * result holds cin/2 words on its last axis).
 */
export function conv2dInputGradDirect(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  pad: number,
  format: NumberFormat = F32,
): tf.Tensor4D {
  const g = convGeometry(xShape, logicalShape(w.shape, format), stride, pad);
  checkChannels(g);
  const blocksW = Math.ceil(g.inWidth / PIXELS_PER_INVOCATION);
  const total = g.batch * g.inHeight * blocksW * (g.inChannels / 4);
  const program = {
    ...inputGradShader(g, format),
    uniforms: [...geometryUniforms(g), blocksW, total],
    grid: grid(total),
  };
  const out = runProgram(program, [dy, w], storedShape(xShape, format)) as tf.Tensor4D;
  return markOutput(out, format);
}

/** How many row chunks the filter gradient's reduction is cut into. */
export function filterGradSplits(blocks: number, rows: number): number {
  const byWork = Math.ceil(TARGET_INVOCATIONS / blocks);
  const byRows = Math.max(1, Math.floor(rows / MIN_ROWS_PER_SPLIT));
  return Math.max(1, Math.min(byWork, byRows));
}

/** dL/dw of conv2dDirect given x and dy = dL/dy: always f32 [kh, kw, cin, cout] (`wShape`). */
export function conv2dFilterGradDirect(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  wShape: [number, number, number, number],
  stride: number,
  pad: number,
  format: NumberFormat = F32,
): tf.Tensor4D {
  const g = convGeometry(logicalShape(x.shape, format), wShape, stride, pad);
  checkChannels(g);
  const blocks = g.kernelHeight * g.kernelWidth * (g.inChannels / 4) * (g.outChannels / 4);
  const rows = g.batch * g.outHeight * g.outWidth;
  const limit = backendDevice().limits.maxComputeWorkgroupsPerDimension;
  const splits = Math.min(filterGradSplits(blocks, rows), limit);
  const rowsPerSplit = Math.ceil(rows / splits);
  const groupsX = Math.ceil(blocks / WORKGROUP);
  if (groupsX > limit) throw new Error(`direct conv: ${blocks} filter blocks exceed the limit`);
  const shader = filterGradShader(g, format);
  const uniforms = [...geometryUniforms(g), rowsPerSplit, blocks, splits];
  if (splits === 1) {
    return runProgram(
      { ...shader, uniforms, grid: [groupsX, 1, 1] },
      [x, dy],
      wShape,
    ) as tf.Tensor4D;
  }
  const size = blocks * 16;
  const partial = runProgram(
    { ...shader, uniforms, grid: [groupsX, splits, 1] },
    [x, dy],
    [splits, size],
  );
  const sum = { ...sumSplitsShader(format), uniforms: [splits, size / 4], grid: grid(size / 4) };
  const out = runProgram(sum, [partial], wShape);
  partial.dispose();
  return out as tf.Tensor4D;
}
