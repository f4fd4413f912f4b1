import * as tf from '@tensorflow/tfjs-core';
import type { ConvOp } from '../../tuning-plan/plan';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import {
  flagsOverflow,
  flavorOf,
  logicalShape,
  markOutput,
  storedShape,
  type Flavor,
} from './direct-conv';
import { F32, formatKey, type NumberFormat } from '../../config/number-format';
import {
  backendDevice,
  runProgram,
  workgroupGrid,
  type ShaderSource,
  type FlaggedShader,
} from './dispatch';

/**
 * Tiled convolution kernels for GPUs: forward, input gradient and filter gradient as implicit
 * GEMMs C[M×N] = Σ_k A[m,k]·B[k,n], whose A and B elements are read straight from the NHWC
 * activations and the [kh, kw, cin, cout] weights (no im2col buffer).
 *
 * Each workgroup computes a tileM × tileN block of C with (tileM/regM)·(tileN/regN) invocations,
 * each holding a regM × regN block of f32 accumulators in registers. Per tileK slice of the
 * reduction the workgroup stages A and B through workgroup memory, 4 consecutive k per vec4, and
 * every invocation then reads regM + regN vec4 per 4 k for regM·regN 4-term dot products: that
 * reuse (regM·regN / (regM + regN) dots per workgroup-memory read, 2 to 4 here) is what keeps the
 * ALUs fed instead of the memory. Global loads are vec4 where the channels allow (multiples of 4),
 * four scalar loads otherwise, so any channel count runs.
 *
 * Geometry (batch, sizes, channels, kernel, stride, padding) and the GEMM sizes are uniforms: one
 * pipeline per (op, tile shape, vec4 or scalar loads, format) serves every layer of a network,
 * since compiling costs seconds per pipeline on CPU drivers and dispatching costs microseconds.
 *
 * Number formats, as in direct-conv.ts. f32 storage: f32 arithmetic; 'f16' stages vec4<f16> tiles (values rounded to f16 on
 * load, beyond its range to ±Inf), each 4-term dot is f16 arithmetic accumulated in f32, outputs
 * are rounded to f16 values; 'emulated' is the same data flow in an f32 shader with explicit
 * rounding. Split-K partials stay unrounded f32 until the sum pass rounds them.
 *
 * f16 storage (f16 or f32 arithmetic; even channel counts): operands are read as f16
 * words and unpacked as they are staged (a vec4 load becomes a vec2<u32> one: half the bytes;
 * with channels that are not multiples of 4, operands contiguous in k load one word per channel
 * pair, the others read the word holding each channel and take its half), so the tiles and the
 * arithmetic are those of 'f16' or 'f32'. Forward and input gradient write packed outputs, for
 * which each invocation owns columns in adjacent pairs (2·(lid.x + p·TX) + 0/1 instead of
 * lid.x + j·TX) and writes whole words; the filter gradient writes f32 as ever.
 */

export interface TileShape {
  /** Stable id (tuning caches store it): 'tiled-<tileM>x<tileN>'. */
  id: string;
  tileM: number;
  tileN: number;
  /** k per staged slice; a multiple of 4. */
  tileK: number;
  /** Rows of C per invocation. */
  regM: number;
  /** Columns of C per invocation; a multiple of 4 (the dots are done 4 columns at a time). */
  regN: number;
}

/** A tile shape whose id is '<family>-<tileM>x<tileN>' (shared with tiled-conv-v2.ts). */
export function tileShape(
  family: string,
  tileM: number,
  tileN: number,
  tileK: number,
  regM: number,
  regN: number,
): TileShape {
  return { id: `${family}-${tileM}x${tileN}`, tileM, tileN, tileK, regM, regN };
}

const tile = (tileM: number, tileN: number, tileK: number, regM: number, regN: number) =>
  tileShape('tiled', tileM, tileN, tileK, regM, regN);

/**
 * One shape per width class of the GEMM's N (output channels; input channels for the input
 * gradient), so that few columns are wasted on narrow layers and wide layers get the most reuse:
 * - 128×16 (4×4 per invocation, 128 invocations): 16-channel layers (CIFAR ResNets' first
 *   stage, and the few channels of an RGB stem's input gradient);
 * - 128×32 (8×4, 128 invocations): 32-channel layers;
 * - 64×64 (4×4, 256 invocations): 64-channel layers, and wide layers whose M is too small to
 *   give 128×128 tiles enough workgroups (late stages at small batch);
 * - 128×128 (8×8, 256 invocations, 4 dots per workgroup-memory read): wide layers with large M.
 * Workgroup memory stays under WebGPU's guaranteed 16 KiB in f32 (12.5 KiB at most): the
 * 128×128 shape stages 8 k per slice for that.
 */
export const TILE_SHAPES: readonly TileShape[] = [
  tile(128, 16, 16, 4, 4),
  tile(128, 32, 16, 8, 4),
  tile(64, 64, 16, 4, 4),
  tile(128, 128, 8, 8, 8),
];

export function tileShapeById(id: string): TileShape | undefined {
  return TILE_SHAPES.find((s) => s.id === id);
}

interface GemmSize {
  M: number;
  N: number;
  K: number;
}

function gemmSize(op: ConvOp, g: ConvGeometry): GemmSize {
  const taps = g.kernelHeight * g.kernelWidth;
  if (op === 'forward') {
    return {
      M: g.batch * g.outHeight * g.outWidth,
      N: g.outChannels,
      K: taps * g.inChannels,
    };
  }
  if (op === 'inputGrad') {
    return { M: g.batch * g.inHeight * g.inWidth, N: g.inChannels, K: taps * g.outChannels };
  }
  return { M: taps * g.inChannels, N: g.outChannels, K: g.batch * g.outHeight * g.outWidth };
}

/** Below this many 128×128 tiles a wide layer takes 64×64 tiles (4× the workgroups). */
const MIN_LARGE_TILES = 256;

/** The tile shape when no tuner chose one: the narrowest tileN that covers N. */
export function defaultTileShape(op: ConvOp, g: ConvGeometry): TileShape {
  const { M, N } = gemmSize(op, g);
  const [narrow, mid, square, large] = TILE_SHAPES as [TileShape, TileShape, TileShape, TileShape];
  if (N <= narrow.tileN) return narrow;
  if (N <= mid.tileN) return mid;
  if (N <= square.tileN) return square;
  // The filter gradient's split-K fills the GPU whatever the tile count.
  const tiles = Math.ceil(M / large.tileM) * Math.ceil(N / large.tileN);
  return op === 'filterGrad' || tiles >= MIN_LARGE_TILES ? large : square;
}

/** Workgroups the filter gradient's split-K aims for: a few per SM of a large GPU. */
const TARGET_WORKGROUPS = 512;
/** Fewest k per split: below this the partials' write and sum cost more than the split gains. */
const MIN_K_PER_SPLIT = 512;

/** Split-K of the filter gradient: the number of splits and the k per split (whole slices). */
export function tiledFilterGradSplits(
  g: ConvGeometry,
  shape: TileShape,
): { splits: number; kChunk: number } {
  const { M, N, K } = gemmSize('filterGrad', g);
  const tiles = Math.ceil(M / shape.tileM) * Math.ceil(N / shape.tileN);
  const wanted = Math.max(
    1,
    Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(K / MIN_K_PER_SPLIT)),
  );
  const kChunk = Math.ceil(K / wanted / shape.tileK) * shape.tileK;
  // Recounted so that no split is empty.
  return { splits: Math.ceil(K / kChunk), kChunk };
}

/**
 * One GEMM operand: A (outer = m) or B (outer = n). Its element index splits into a part of the
 * outer index, computed once per kernel, and a part of k, computed once per slice where the
 * invocation's k is the same for all its loads. Integer division by a runtime value costs ~20
 * instructions on GPUs: the four or so per load of a plain index computation would cost as much
 * as a slice's multiply-adds on the narrow tiles.
 */
interface Operand {
  buffer: string;
  /**
   * The dimension along which 4 consecutive elements are adjacent in memory when the channels are
   * multiples of 4: 'k' loads a vec4 straight into the K-major tile, 'outer' loads one along m or n
   * and scatters its components. With scalar loads it picks the invocation order that keeps
   * neighbouring invocations on neighbouring addresses.
   */
  contiguous: 'k' | 'outer';
  /** Body of `fn (o: u32) -> vec3<i32>`: what the index needs of the outer index o. */
  outer: string;
  /** Body of `fn (k: u32) -> vec3<i32>`: what the index needs of k. */
  inner: string;
  /** Body of `fn (p: vec3<i32>, q: vec3<i32>) -> i32`: the element's index, −1 for a zero. */
  index: string;
}

interface ConvGemm {
  /** The output is an activation (packed in packed precisions) or a filter gradient (f32). */
  output: 'activation' | 'weights';
  a: Operand;
  b: Operand;
  /** True when the vec4 loads apply (every vec4 stays within one pixel's channels). */
  vec4(g: ConvGeometry): boolean;
}

const div4 = (c: number) => c % 4 === 0;

/** x[n, ih, iw, ci], or −1 in the padding. */
const X_AT = /* wgsl */ `
fn xAt(n: i32, ih: i32, iw: i32, ci: i32) -> i32 {
  if (ih < 0 || iw < 0 || ih >= i32(u.H) || iw >= i32(u.W)) { return -1; }
  return ((n * i32(u.H) + ih) * i32(u.W) + iw) * i32(u.CI) + ci;
}`;

/** A plain row-major operand: element p.x + q.x. */
const plain = (buffer: string, contiguous: 'k' | 'outer', outer: string, inner: string) => ({
  buffer,
  contiguous,
  outer: `\n  return vec3<i32>(${outer}, 0, 0);`,
  inner: `\n  return vec3<i32>(${inner}, 0, 0);`,
  index: '\n  return p.x + q.x;',
});

/** Forward: m = (n, oh, ow), n = co, k = (kh, kw, ci); B = w[k·CO + n]. */
const FORWARD: ConvGemm = {
  output: 'activation',
  vec4: (g) => div4(g.inChannels) && div4(g.outChannels),
  a: {
    buffer: 'x',
    contiguous: 'k',
    // p = (n, oh·S − P, ow·S − P), q = (kh, kw, ci).
    outer: /* wgsl */ `
  let r = o / u.OW;
  return vec3<i32>(i32(r / u.OH), i32((r % u.OH) * u.S) - i32(u.P), i32((o % u.OW) * u.S) - i32(u.P));`,
    inner: /* wgsl */ `
  let tap = k / u.CI;
  return vec3<i32>(i32(tap / u.KW), i32(tap % u.KW), i32(k % u.CI));`,
    index: '\n  return xAt(p.x, p.y + q.x, p.z + q.y, q.z);',
  },
  b: plain('w', 'outer', 'i32(o)', 'i32(k * u.CO)'),
};

/**
 * Input gradient: m = (n, ih, iw), n = ci, k = (kh, kw, co); A = dy[n, oh, ow, co] where
 * oh·S + kh − P = ih (same along w), zero where no such output exists. With stride 2 three taps in
 * four are such zeros: they cost loads and multiply-adds like real ones.
 */
const INPUT_GRAD: ConvGemm = {
  output: 'activation',
  vec4: (g) => div4(g.outChannels),
  a: {
    buffer: 'dy',
    contiguous: 'k',
    // p = (n, ih + P, iw + P), q = (kh, kw, co).
    outer: /* wgsl */ `
  let r = o / u.W;
  return vec3<i32>(i32(r / u.H), i32(r % u.H + u.P), i32(o % u.W + u.P));`,
    inner: /* wgsl */ `
  let tap = k / u.CO;
  return vec3<i32>(i32(tap / u.KW), i32(tap % u.KW), i32(k % u.CO));`,
    index: /* wgsl */ `
  let th = p.y - q.x;
  let tw = p.z - q.y;
  if (th < 0 || tw < 0) { return -1; }
  let oh = byStride(u32(th));
  let ow = byStride(u32(tw));
  if (oh * u.S != u32(th) || ow * u.S != u32(tw) || oh >= u.OH || ow >= u.OW) { return -1; }
  return ((p.x * i32(u.OH) + i32(oh)) * i32(u.OW) + i32(ow)) * i32(u.CO) + q.z;`,
  },
  // w[kh, kw, ci, co] = w[tap·CI·CO + ci·CO + co].
  b: plain('w', 'k', 'i32(o * u.CO)', 'i32((k / u.CO) * u.CI * u.CO + k % u.CO)'),
};

/** Filter gradient: m = (kh, kw, ci), n = co, k = (n, oh, ow); B = dy[k·CO + n]. */
const FILTER_GRAD: ConvGemm = {
  output: 'weights',
  vec4: (g) => div4(g.inChannels) && div4(g.outChannels),
  a: {
    buffer: 'x',
    contiguous: 'outer',
    // p = (kh − P, kw − P, ci), q = (n, oh·S, ow·S).
    outer: /* wgsl */ `
  let tap = o / u.CI;
  return vec3<i32>(i32(tap / u.KW) - i32(u.P), i32(tap % u.KW) - i32(u.P), i32(o % u.CI));`,
    inner: /* wgsl */ `
  let r = k / u.OW;
  return vec3<i32>(i32(r / u.OH), i32((r % u.OH) * u.S), i32((k % u.OW) * u.S));`,
    index: '\n  return xAt(q.x, q.y + p.x, q.z + p.y, p.z);',
  },
  b: plain('dy', 'outer', 'i32(o)', 'i32(k * u.CO)'),
};

const GEMMS: Record<ConvOp, ConvGemm> = {
  forward: FORWARD,
  inputGrad: INPUT_GRAD,
  filterGrad: FILTER_GRAD,
};

const UNIFORM_FIELDS = [
  'M',
  'N',
  'K',
  'K_CHUNK',
  'SPLITS',
  'M_TILES',
  'NB',
  'H',
  'W',
  'CI',
  'CO',
  'KH',
  'KW',
  'S',
  'P',
  'OH',
  'OW',
] as const;
type UniformField = (typeof UNIFORM_FIELDS)[number];

function uniformValues(values: Record<UniformField, number>): number[] {
  return UNIFORM_FIELDS.map((f) => values[f]);
}

/** Invocations per workgroup of a shape (shared with tiled-conv-v2.ts). */
export const threadsOf = (s: TileShape) => (s.tileM / s.regM) * (s.tileN / s.regN);

function checkShape(s: TileShape): void {
  const threads = threadsOf(s);
  const ok =
    s.tileM % s.regM === 0 &&
    s.tileN % s.regN === 0 &&
    s.regN % 4 === 0 &&
    s.tileM % 4 === 0 &&
    s.tileK % 4 === 0 &&
    s.tileK > 0 &&
    Number.isInteger(threads) &&
    threads % (s.tileK / 4) === 0 &&
    threads <= 256;
  if (!ok) throw new Error(`tiled conv: unusable tile shape ${JSON.stringify(s)}`);
}

/** Bytes of workgroup memory a shape stages in f32 (half in f16). */
function workgroupBytes(s: TileShape): number {
  return (s.tileM + s.tileN) * (s.tileK / 4 + 1) * 16;
}

/**
 * Whether a tile shape fits the device's workgroup limits in `format` (f16 tiles take half the
 * memory): the tuner offers no candidate that cannot run.
 */
export function tileShapeFits(
  shape: TileShape,
  format: NumberFormat,
  limits: Pick<
    GPUSupportedLimits,
    'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup'
  >,
): boolean {
  const bytes = workgroupBytes(shape) / (flavorOf(format).T === 'f16' ? 2 : 1);
  return (
    bytes <= limits.maxComputeWorkgroupStorageSize &&
    threadsOf(shape) <= limits.maxComputeInvocationsPerWorkgroup
  );
}

/**
 * The loads of operand x ('A' or 'B'): `prepareX(o0, flat)` computes the outer parts of this
 * invocation's rows once; `stageX(o0, k0, kEnd, flat)` has the workgroup's invocations together
 * fill tileX with the slice k0 … k0 + tileK − 1 of rows o0 … o0 + extent − 1, zeros beyond the
 * bounds. Element e of the slice goes to invocation e % THREADS, load slot e / THREADS.
 */
function operandWgsl(
  x: 'A' | 'B',
  o: Operand,
  extent: number,
  s: TileShape,
  vec4: boolean,
  f: Flavor,
): string {
  const threads = threadsOf(s);
  const count = (extent * s.tileK) / 4;
  const slots = Math.ceil(count / threads);
  const bound = x === 'A' ? 'u.M' : 'u.N';
  const buf = o.buffer;
  // Where element e lands: tile row r (outer offset) and k offset kk within the slice.
  const kOrder = o.contiguous === 'k';
  const vecOuter = vec4 && !kOrder;
  const r = kOrder ? 'e / KQ' : vec4 ? `(e % ${extent / 4}u) * 4u` : `e % ${extent}u`;
  const kk = kOrder ? '(e % KQ) * 4u' : vec4 ? `e / ${extent / 4}u` : `(e / ${extent}u) * 4u`;
  // In k order every slot of an invocation has the same k (THREADS is a multiple of KQ): its
  // inner parts are computed once per slice.
  const kOffset = kOrder ? `(flat % KQ) * 4u` : '';
  // Packed scalar loads in k order read word pairs: k even and k + 1 are channels 2c, 2c + 1 of
  // one pixel (channels, K and kEnd are even), i.e. one word. Half the index computations and
  // loads of four scalar ones.
  const pairs = f.packed && kOrder && !vec4;
  const inners = vec4 ? [''] : pairs ? ['', ' + 2u'] : ['', ' + 1u', ' + 2u', ' + 3u'];
  const shared = kOrder
    ? inners.map((d, j) => `\n  let q${j} = inner${x}(k0 + ${kOffset}${d});`).join('')
    : '';
  const inner = (j: number) => (kOrder ? `q${j}` : `inner${x}(k${inners[j]})`);
  const guard = count % threads === 0 ? '' : `\n    if (e >= ${count}u) { break; }`;
  let store: string;
  if (vec4) {
    const read = /* wgsl */ `
    var v = vec4<f32>();
    if (o < ${bound} && k < kEnd) {
      let i = index${x}(outer${x}Parts[s], ${inner(0)});
      if (i >= 0) { v = ${f.unpack(`${buf}[u32(i) / 4u]`)}; }
    }`;
    store = vecOuter
      ? // Components to 4 tile rows: 4 scalar workgroup stores, once per slice.
        /* wgsl */ `${read}
    let t = ${f.load('v')};
    let row = r * KS + kk / 4u;
    tile${x}[row][kk % 4u] = t.x;
    tile${x}[row + KS][kk % 4u] = t.y;
    tile${x}[row + 2u * KS][kk % 4u] = t.z;
    tile${x}[row + 3u * KS][kk % 4u] = t.w;`
      : /* wgsl */ `${read}
    tile${x}[r * KS + kk / 4u] = ${f.load('v')};`;
  } else {
    const fn = pairs ? 'pair' : 'scalar';
    const loads = inners.map((d, j) => `${fn}${x}(o, k${d}, kEnd, outer${x}Parts[s], ${inner(j)})`);
    store = /* wgsl */ `
    let v = vec4<f32>(${loads.join(',\n                      ')});
    tile${x}[r * KS + kk / 4u] = ${f.load('v')};`;
  }
  const scalarFn = vec4
    ? ''
    : pairs
      ? /* wgsl */ `
fn pair${x}(o: u32, k: u32, kEnd: u32, p: vec3<i32>, q: vec3<i32>) -> vec2<f32> {
  if (o >= ${bound} || k >= kEnd) { return vec2<f32>(); }
  let i = index${x}(p, q);
  if (i < 0) { return vec2<f32>(); }
  return unpack2x16float(${buf}[u32(i) / 2u]);
}`
      : /* wgsl */ `
fn scalar${x}(o: u32, k: u32, kEnd: u32, p: vec3<i32>, q: vec3<i32>) -> f32 {
  if (o >= ${bound} || k >= kEnd) { return 0.0; }
  let i = index${x}(p, q);
  if (i < 0) { return 0.0; }
  return ${f.packed ? `unpackAt(${buf}[u32(i) / 2u], u32(i))` : `${buf}[u32(i)]`};
}`;
  return /* wgsl */ `
fn outer${x}(o: u32) -> vec3<i32> {${o.outer}
}

fn inner${x}(k: u32) -> vec3<i32> {${o.inner}
}

fn index${x}(p: vec3<i32>, q: vec3<i32>) -> i32 {${o.index}
}
${scalarFn}
const SLOTS_${x}: u32 = ${slots}u;
var<private> outer${x}Parts: array<vec3<i32>, SLOTS_${x}>;

fn prepare${x}(o0: u32, flat: u32) {
  for (var s = 0u; s < SLOTS_${x}; s++) {
    let e = flat + s * THREADS;
    outer${x}Parts[s] = outer${x}(o0 + ${r});
  }
}

fn stage${x}(o0: u32, k0: u32, kEnd: u32, flat: u32) {${shared}
  for (var s = 0u; s < SLOTS_${x}; s++) {
    let e = flat + s * THREADS;${guard}
    let r = ${r};
    let kk = ${kk};
    let o = o0 + r;
    let k = k0 + kk;${store}
  }
}`;
}

/**
 * `col(x, j)`: the tile column of an invocation's j-th register column. Plain: x + j·TX. Paired
 * (packed outputs): columns in adjacent pairs 2·(x + (j/2)·TX) + j%2, so that an invocation
 * writes whole f16 words; the 2-row stride of tileB reads costs some 2-way bank conflicts.
 */
function columnWgsl(paired: boolean): string {
  const body = paired ? '2u * (x + (j / 2u) * TX) + j % 2u' : 'x + j * TX';
  return `\nfn col(x: u32, j: u32) -> u32 { return ${body}; }`;
}

/** The invocation's stores: f32 elements (rounded unless split-K partials), or packed words. */
function storeWgsl(paired: boolean, f: Flavor): string {
  if (paired) {
    // acc[i·RN4 + j] holds columns col(lid.x, 4j … 4j + 3): the words of the pairs 2j and 2j + 1.
    // Forward and input gradient never split K; N (channels) is even, so a pair never straddles.
    return /* wgsl */ `
  for (var i = 0u; i < RM; i++) {
    let m = row0 + lid.y + i * TY;
    if (m >= u.M) { break; }
    for (var j = 0u; j < RN4; j++) {
      let words = ${f.pack('acc[i * RN4 + j]')};
      for (var h = 0u; h < 2u; h++) {
        let n = col0 + col(lid.x, 4u * j + 2u * h);
        if (n < u.N) { result[(m * u.N + n) / 2u] = words[h]; }
      }
    }
  }`;
  }
  // 'f32' stores as is; the f16 flavors round unless the output is a split-K partial (a partial
  // beyond the f16 range is no overflow: the sum may not be).
  const rounded = (e: string) =>
    f.store(e) === e
      ? `let v = ${e};`
      : `var v = ${e};\n      if (single) { v = ${f.store('v')}; }`;
  return /* wgsl */ `
  // Split-K partials stay unrounded f32 until the sum pass; a single split is the result itself.
  let single = u.SPLITS == 1u;
  let base = split * u.M * u.N;
  for (var i = 0u; i < RM; i++) {
    let m = row0 + lid.y + i * TY;
    if (m >= u.M) { break; }
    for (var j = 0u; j < RN4; j++) {
      ${rounded('acc[i * RN4 + j]')}
      for (var c = 0u; c < 4u; c++) {
        let n = col0 + col(lid.x, 4u * j + c);
        if (n < u.N) { result[base + m * u.N + n] = v[c]; }
      }
    }
  }`;
}

function tiledWgsl(gemm: ConvGemm, vec4: boolean, f: Flavor, s: TileShape): string {
  const T = f.T;
  const tx = s.tileN / s.regN;
  const ty = s.tileM / s.regM;
  const rn4 = s.regN / 4;
  const elem = vec4 ? f.word4 : f.word;
  const fields = UNIFORM_FIELDS.map((name) => `  ${name}: u32,`).join('\n');
  const paired = f.packed && gemm.output === 'activation';
  return /* wgsl */ `${f.header}
struct Uniforms {
${fields}
};
@group(0) @binding(0) var<storage, read_write> result: array<${paired ? 'u32' : 'f32'}>;
@group(0) @binding(1) var<storage, read> ${gemm.a.buffer}: array<${elem}>;
@group(0) @binding(2) var<storage, read> ${gemm.b.buffer}: array<${elem}>;
@group(0) @binding(3) var<uniform> u: Uniforms;${f.flagBinding(4)}

const TM: u32 = ${s.tileM}u;
const TN: u32 = ${s.tileN}u;
const TK: u32 = ${s.tileK}u;
const KQ: u32 = ${s.tileK / 4}u;
// Row stride of the tiles in vec4: one more than KQ, so that 8 invocations reading 8 different
// rows at the same k hit 8 different 16-byte bank groups.
const KS: u32 = ${s.tileK / 4 + 1}u;
const RM: u32 = ${s.regM}u;
const RN: u32 = ${s.regN}u;
const RN4: u32 = ${rn4}u;
const TX: u32 = ${tx}u;
const TY: u32 = ${ty}u;
const THREADS: u32 = ${tx * ty}u;

// 4 consecutive k per element: A as [TM][KS], B transposed as [TN][KS].
var<workgroup> tileA: array<vec4<${T}>, ${s.tileM * (s.tileK / 4 + 1)}>;
var<workgroup> tileB: array<vec4<${T}>, ${s.tileN * (s.tileK / 4 + 1)}>;
${X_AT}

// v / S; stride 1 skips the division.
fn byStride(v: u32) -> u32 {
  if (u.S == 1u) { return v; }
  return v / u.S;
}
${operandWgsl('A', gemm.a, s.tileM, s, vec4, f)}
${operandWgsl('B', gemm.b, s.tileN, s, vec4, f)}

${columnWgsl(paired)}
// Invocation (lid.x, lid.y) owns rows lid.y + i·TY and columns col(lid.x, j): neighbouring
// invocations read neighbouring tile rows (few bank conflicts with the padded stride) and write
// neighbouring outputs (coalesced stores).
@compute @workgroup_size(${tx}, ${ty}, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  // z = split + SPLITS·fold: M tiles beyond the y limit fold into z.
  let split = wid.z % u.SPLITS;
  let mTile = wid.y + (wid.z / u.SPLITS) * groups.y;
  if (mTile >= u.M_TILES) { return; }
  let row0 = mTile * TM;
  let col0 = wid.x * TN;
  let kStart = split * u.K_CHUNK;
  let kEnd = min(u.K, kStart + u.K_CHUNK);
  // acc[i·RN4 + j] holds the columns col(lid.x, 4j + c), c = 0…3.
  var acc: array<vec4<f32>, ${s.regM * rn4}>;
  prepareA(row0, flat);
  prepareB(col0, flat);

  for (var k0 = kStart; k0 < kEnd; k0 += TK) {
    stageA(row0, k0, kEnd, flat);
    stageB(col0, k0, kEnd, flat);
    workgroupBarrier();
    for (var q = 0u; q < KQ; q++) {
      var a: array<vec4<${T}>, RM>;
      var b: array<vec4<${T}>, RN>;
      for (var i = 0u; i < RM; i++) { a[i] = tileA[(lid.y + i * TY) * KS + q]; }
      for (var j = 0u; j < RN; j++) { b[j] = tileB[col(lid.x, j) * KS + q]; }
      for (var i = 0u; i < RM; i++) {
        for (var j = 0u; j < RN4; j++) {
          // vec4 × mat4x4: four 4-term dots, one per column.
          let bj = mat4x4<${T}>(b[4u * j], b[4u * j + 1u], b[4u * j + 2u], b[4u * j + 3u]);
          acc[i * RN4 + j] += ${f.product('a[i] * bj')};
        }
      }
    }
    workgroupBarrier();
  }

${storeWgsl(paired, f)}
}
`;
}

/**
 * result[e] = Σ_s partial[s, e]; invocation i sums e = i + c·QUARTER (c = 0…3), so that
 * neighbouring invocations read neighbouring floats and the f16 rounding works on a vec4.
 */
const sumSplitsWgsl = (f: Flavor) => /* wgsl */ `${f.header}
struct Uniforms { SPLITS: u32, SIZE: u32, QUARTER: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<f32>;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;${f.flagBinding(3)}

@compute @workgroup_size(${SUM_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${SUM_WORKGROUP}u;
  if (i >= u.QUARTER) { return; }
  var sum = vec4<f32>();
  for (var s = 0u; s < u.SPLITS; s++) {
    for (var c = 0u; c < 4u; c++) {
      let e = i + c * u.QUARTER;
      if (e < u.SIZE) { sum[c] += partial[s * u.SIZE + e]; }
    }
  }
  let v = ${f.store('sum')};
  for (var c = 0u; c < 4u; c++) {
    let e = i + c * u.QUARTER;
    if (e < u.SIZE) { result[e] = v[c]; }
  }
}`;
export const SUM_WORKGROUP = 64;

function mainShader(
  op: ConvOp,
  g: ConvGeometry,
  format: NumberFormat,
  shape: TileShape,
): FlaggedShader {
  checkShape(shape);
  checkPackedChannels(g, format);
  const gemm = GEMMS[op];
  const vec4 = gemm.vec4(g);
  const loads = vec4 ? 'vec4' : format.storage === 'f16' ? 'pairs' : 'scalar';
  const overflowFlag = flagsOverflow(op, format);
  return {
    code: tiledWgsl(gemm, vec4, flavorOf(format, overflowFlag), shape),
    overflowFlag,
    // Starts with the kernel id (conv-registry.ts): see direct-conv.ts's convShader.
    label: `${shape.id} ${op} ${loads} ${formatKey(format)}`,
  };
}

/** The split-K sum pass of a shape's filter gradient (shared with tiled-conv-v2.ts). */
export const sumShader = (format: NumberFormat, shape: TileShape): FlaggedShader => ({
  code: sumSplitsWgsl(flavorOf(format, flagsOverflow('filterGrad', format))),
  overflowFlag: flagsOverflow('filterGrad', format),
  label: `${shape.id} filterGrad-sum ${formatKey(format)}`,
});

/** Split count and k per split; only the filter gradient splits its reduction. */
function splitsOf(op: ConvOp, g: ConvGeometry, shape: TileShape) {
  if (op === 'filterGrad') return tiledFilterGradSplits(g, shape);
  const { K } = gemmSize(op, g);
  return { splits: 1, kChunk: Math.ceil(K / shape.tileK) * shape.tileK };
}

export function tiledConvShaders(
  op: ConvOp,
  g: ConvGeometry,
  format: NumberFormat,
  shape: TileShape,
): ShaderSource[] {
  const main = mainShader(op, g, format, shape);
  return splitsOf(op, g, shape).splits > 1 ? [main, sumShader(format, shape)] : [main];
}

function runTiled(
  op: ConvOp,
  inputs: [tf.Tensor4D, tf.Tensor4D],
  g: ConvGeometry,
  format: NumberFormat,
  shape: TileShape,
  outShape: number[],
): tf.Tensor4D {
  const main = mainShader(op, g, format, shape);
  const { M, N, K } = gemmSize(op, g);
  const { splits, kChunk } = splitsOf(op, g, shape);
  const limits = backendDevice().limits;
  const bytes = workgroupBytes(shape) / (flavorOf(format).T === 'f16' ? 2 : 1);
  if (bytes > limits.maxComputeWorkgroupStorageSize) {
    throw new Error(`tiled conv: ${shape.id} needs ${bytes} B of workgroup memory`);
  }
  // Grid: x over N tiles, y over M tiles, z over splits; M tiles beyond the y limit fold into z.
  const limit = limits.maxComputeWorkgroupsPerDimension;
  const nTiles = Math.ceil(N / shape.tileN);
  const mTiles = Math.ceil(M / shape.tileM);
  const groupsY = Math.min(mTiles, limit);
  const groupsZ = splits * Math.ceil(mTiles / groupsY);
  if (nTiles > limit || groupsZ > limit) {
    throw new Error(`tiled conv: ${mTiles}×${nTiles} tiles × ${splits} splits exceed the limit`);
  }
  const uniforms = uniformValues({
    M,
    N,
    K,
    K_CHUNK: kChunk,
    SPLITS: splits,
    M_TILES: mTiles,
    NB: g.batch,
    H: g.inHeight,
    W: g.inWidth,
    CI: g.inChannels,
    CO: g.outChannels,
    KH: g.kernelHeight,
    KW: g.kernelWidth,
    S: g.stride,
    P: g.pad,
    OH: g.outHeight,
    OW: g.outWidth,
  });
  const grid: [number, number, number] = [nTiles, groupsY, groupsZ];
  if (splits === 1) {
    const out = runProgram({ ...main, uniforms, grid }, inputs, outShape) as tf.Tensor4D;
    return GEMMS[op].output === 'activation' ? markOutput(out, format) : out;
  }
  const partial = runProgram({ ...main, uniforms, grid }, inputs, [splits, M * N]);
  const quarter = Math.ceil((M * N) / 4);
  const sum = {
    ...sumShader(format, shape),
    uniforms: [splits, M * N, quarter],
    grid: workgroupGrid(Math.ceil(quarter / SUM_WORKGROUP)),
  };
  const out = runProgram(sum, [partial], outShape);
  partial.dispose();
  return out as tf.Tensor4D;
}

/**
 * y = conv2d(x, w) with symmetric zero padding `pad`; x [n, h, w, cin], w [kh, kw, cin, cout]
 * (packed precisions: x [n, h, w, cin/2], w [kh, kw, cin, cout/2] and y [n, oh, ow, cout/2]).
 */
export function conv2dTiled(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  format: NumberFormat = F32,
  shape?: TileShape,
): tf.Tensor4D {
  const g = convGeometry(logicalShape(x.shape, format), logicalShape(w.shape, format), stride, pad);
  const out = storedShape([g.batch, g.outHeight, g.outWidth, g.outChannels], format);
  return runTiled('forward', [x, w], g, format, shape ?? defaultTileShape('forward', g), out);
}

/** dL/dx of conv2dTiled given dy = dL/dy [n, oh, ow, cout]; `xShape` is logical, as in direct-conv. */
export function conv2dInputGradTiled(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  pad: number,
  format: NumberFormat = F32,
  shape?: TileShape,
): tf.Tensor4D {
  const g = convGeometry(xShape, logicalShape(w.shape, format), stride, pad);
  checkShapeOf('dy', dy.shape, outputShape(g, format));
  const s = shape ?? defaultTileShape('inputGrad', g);
  return runTiled('inputGrad', [dy, w], g, format, s, storedShape([...xShape], format));
}

/** dL/dw of conv2dTiled given x and dy = dL/dy: always f32 [kh, kw, cin, cout] (`wShape`). */
export function conv2dFilterGradTiled(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  wShape: [number, number, number, number],
  stride: number,
  pad: number,
  format: NumberFormat = F32,
  shape?: TileShape,
): tf.Tensor4D {
  const g = convGeometry(logicalShape(x.shape, format), wShape, stride, pad);
  checkShapeOf('dy', dy.shape, outputShape(g, format));
  const s = shape ?? defaultTileShape('filterGrad', g);
  return runTiled('filterGrad', [x, dy], g, format, s, [...wShape]);
}

/** The stored shape of y (and dy). */
const outputShape = (g: ConvGeometry, p: NumberFormat) =>
  storedShape([g.batch, g.outHeight, g.outWidth, g.outChannels], p);

/** True when the tiled kernels can run this convolution in `format` (f16 storage: even channels). */
export function tiledConvApplies(g: ConvGeometry, format: NumberFormat): boolean {
  return format.storage === 'f32' || (g.inChannels % 2 === 0 && g.outChannels % 2 === 0);
}

function checkPackedChannels(g: ConvGeometry, format: NumberFormat): void {
  if (!tiledConvApplies(g, format)) {
    throw new Error(
      `tiled conv: packed channels must be even (got ${g.inChannels}→${g.outChannels})`,
    );
  }
}

function checkShapeOf(name: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new Error(`tiled conv: ${name} is [${got.join(', ')}], expected [${want.join(', ')}]`);
  }
}
