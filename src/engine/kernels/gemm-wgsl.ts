import { f16RoundingWgsl, overflowFlagWgsl } from './f16-rounding';

/**
 * WGSL source for a tiled GEMM C[M×N] = Σ_k A[m,k]·B[k,n] whose A and B elements come from
 * caller-written loader functions (it serves the FC matmul and its two gradients; convolutions
 * have their own kernels, conv-registry.ts). Shapes are uniforms, so each kernel compiles once for every shape:
 * compiling is slow (seconds per pipeline on CPU Vulkan), dispatching is not.
 *
 * Arithmetic (f32 storage; config/number-format.ts):
 * - 'f16': `enable f16;` — tiles live in workgroup memory as f16, products and 4-term dot products
 *   are f16 arithmetic, accumulation is f32; outputs are rounded to f16 values.
 * - 'emulated': the same data flow in an f32 shader; every value that would be f16 is rounded to
 *   f16 (quantizeToF16), so the numerics match on adapters without 'shader-f16'.
 * Either way a value beyond the f16 range becomes ±Inf (explicitly: WGSL leaves the conversion of
 * out-of-range values indeterminate: f16-rounding.ts), and in the gradient kernels (`flagged`)
 * raises the overflow flag that dynamic loss scaling reads.
 */

/** The arithmetics that round to f16. */
export type F16Arithmetic = 'f16' | 'emulated';

export const TILE_M = 32;
export const TILE_N = 32;
export const TILE_K = 8;
const THREADS_X = 16;
const THREADS_Y = 16;
const REG_M = TILE_M / THREADS_Y;
const REG_N = TILE_N / THREADS_X;

export interface GemmSpec {
  M: number;
  N: number;
  K: number;
  /** Input buffers (array<f32>), bound at 1..n after the output. */
  inputs: string[];
  /** Extra u32 uniforms the loaders read as `u.NAME` (shapes are uniforms: one pipeline per kernel). */
  constants: Record<string, number>;
  /** Body of `fn loadA(m: u32, k: u32) -> f32`, called only with m < M and k < K. */
  loadA: string;
  /** Body of `fn loadB(k: u32, n: u32) -> f32`, called only with k < K and n < N. */
  loadB: string;
  /**
   * Split-K: the k range is cut into `splits` chunks run as separate workgroups (dispatch z);
   * the output then holds `splits` f32 partial sums [splits, M, N], unrounded, for reduceSplits.
   */
  splits: number;
}

/** The uniform fields of a GEMM, in binding order: the GEMM's own, then the loaders' (u32). */
export function gemmUniforms(spec: GemmSpec): [string, number][] {
  const kChunk = Math.ceil(spec.K / spec.splits / TILE_K) * TILE_K;
  const fields: [string, number][] = [
    ['M', spec.M],
    ['N', spec.N],
    ['K', spec.K],
    ['K_CHUNK', kChunk],
    ['SPLITS', spec.splits],
    ...Object.entries(spec.constants),
  ];
  return fields;
}

function uniformStruct(fields: [string, number][]): string {
  return `struct Uniforms {\n${fields.map(([n]) => `  ${n}: u32,`).join('\n')}\n};`;
}

/**
 * The shader depends on the loaders and the arithmetic only, never on the shape. `flagged`: its
 * roundings raise the overflow flag (the gradient GEMMs), bound after the uniforms.
 */
export function gemmWgsl(spec: GemmSpec, arithmetic: F16Arithmetic, flagged = false): string {
  const half = arithmetic === 'f16';
  const T = half ? 'f16' : 'f32';
  const kq = TILE_K / 4;
  const fields = gemmUniforms(spec);
  // In 'f16' the cast does the storage rounding; 'emulated' rounds explicitly.
  const toT = half ? 'f16(round16(v))' : 'round16(v)';
  const dotTerm = half ? 'f32(dot(a[i], b[j]))' : 'round16(dot(a[i], b[j]))';
  const bindings = spec.inputs
    .map((name, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${name}: array<f32>;`)
    .join('\n');
  return /* wgsl */ `${half ? 'enable f16;\n' : ''}
${uniformStruct(fields)}
const TILE_M: u32 = ${TILE_M}u;
const TILE_N: u32 = ${TILE_N}u;
const TILE_K: u32 = ${TILE_K}u;
const KQ: u32 = ${kq}u;
const REG_M: u32 = ${REG_M}u;
const REG_N: u32 = ${REG_N}u;

@group(0) @binding(0) var<storage, read_write> result: array<f32>;
${bindings}
@group(0) @binding(${spec.inputs.length + 1}) var<uniform> u: Uniforms;${flagged ? overflowFlagWgsl(spec.inputs.length + 2) : ''}

// Tiles keep 4 consecutive k per element: A as [TILE_M][KQ], B transposed as [TILE_N][KQ].
var<workgroup> tileA: array<vec4<${T}>, ${TILE_M * kq}>;
var<workgroup> tileB: array<vec4<${T}>, ${TILE_N * kq}>;
${f16RoundingWgsl(flagged)}

fn toT(v: f32) -> ${T} { return ${toT}; }

fn loadA(m: u32, k: u32) -> f32 {
${spec.loadA}
}

fn loadB(k: u32, n: u32) -> f32 {
${spec.loadB}
}

fn safeA(m: u32, k: u32, kEnd: u32) -> f32 {
  if (m >= u.M || k >= kEnd) { return 0.0; }
  return loadA(m, k);
}

fn safeB(k: u32, n: u32, kEnd: u32) -> f32 {
  if (n >= u.N || k >= kEnd) { return 0.0; }
  return loadB(k, n);
}

@compute @workgroup_size(${THREADS_X}, ${THREADS_Y}, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32,
        @builtin(workgroup_id) wid: vec3<u32>) {
  let row0 = wid.y * TILE_M;
  let col0 = wid.x * TILE_N;
  let kStart = wid.z * u.K_CHUNK;
  let kEnd = min(u.K, kStart + u.K_CHUNK);
  var acc: array<f32, ${REG_M * REG_N}>;
  for (var i = 0u; i < ${REG_M * REG_N}u; i++) { acc[i] = 0.0; }

  for (var t = kStart; t < kEnd; t += TILE_K) {
    for (var e = flat; e < TILE_M * KQ; e += ${THREADS_X * THREADS_Y}u) {
      let r = e / KQ;
      let k = t + (e % KQ) * 4u;
      tileA[e] = vec4<${T}>(toT(safeA(row0 + r, k, kEnd)), toT(safeA(row0 + r, k + 1u, kEnd)),
                            toT(safeA(row0 + r, k + 2u, kEnd)), toT(safeA(row0 + r, k + 3u, kEnd)));
    }
    for (var e = flat; e < TILE_N * KQ; e += ${THREADS_X * THREADS_Y}u) {
      let c = e / KQ;
      let k = t + (e % KQ) * 4u;
      tileB[e] = vec4<${T}>(toT(safeB(k, col0 + c, kEnd)), toT(safeB(k + 1u, col0 + c, kEnd)),
                            toT(safeB(k + 2u, col0 + c, kEnd)), toT(safeB(k + 3u, col0 + c, kEnd)));
    }
    workgroupBarrier();
    for (var q = 0u; q < KQ; q++) {
      var a: array<vec4<${T}>, REG_M>;
      var b: array<vec4<${T}>, REG_N>;
      for (var i = 0u; i < REG_M; i++) { a[i] = tileA[(lid.y * REG_M + i) * KQ + q]; }
      for (var j = 0u; j < REG_N; j++) { b[j] = tileB[(lid.x * REG_N + j) * KQ + q]; }
      for (var i = 0u; i < REG_M; i++) {
        for (var j = 0u; j < REG_N; j++) {
          acc[i * REG_N + j] += ${dotTerm};
        }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < REG_M; i++) {
    let m = row0 + lid.y * REG_M + i;
    if (m >= u.M) { continue; }
    for (var j = 0u; j < REG_N; j++) {
      let n = col0 + lid.x * REG_N + j;
      if (n >= u.N) { continue; }
      // Split-K partials stay unrounded f32 until reduceSplits sums them (a partial beyond the
      // f16 range is no overflow: the sum may not be).
      let v = acc[i * REG_N + j];
      if (u.SPLITS == 1u) {
        result[m * u.N + n] = round16(v);
      } else {
        result[wid.z * u.M * u.N + m * u.N + n] = v;
      }
    }
  }
}
`;
}

/** Sums split-K partials [splits, size] and rounds to f16 values (`flagged`: as gemmWgsl). */
export const reduceSplitsWgsl = (flagged: boolean) => /* wgsl */ `
struct Uniforms { SPLITS: u32, SIZE: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;${flagged ? overflowFlagWgsl(3) : ''}
${f16RoundingWgsl(flagged)}
@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * 64u;
  if (i >= u.SIZE) { return; }
  var sum = 0.0;
  for (var s = 0u; s < u.SPLITS; s++) { sum += partials[s * u.SIZE + i]; }
  result[i] = round16(sum);
}
`;

export const GEMM_WORKGROUP = { threadsX: THREADS_X, threadsY: THREADS_Y };
