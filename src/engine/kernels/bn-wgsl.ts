import { packWgsl } from '../packed/layout';
import { overflowFlagWgsl } from './f16-rounding';

/**
 * The WGSL of training-mode BatchNorm (+ReLU) in two storage flavors from one template: 'f32'
 * (one value per element) and 'packed' f16 (one word per channel pair, packed/layout.ts). These
 * are the per-channel kernels (bn-per-channel.ts: one workgroup per channel for each reduction),
 * the baseline of the coalesced ones training runs (bn-reduce-wgsl.ts, which shares the flavors
 * defined here). The arithmetic, statistics and reductions are f32 in both; only loads, stores
 * and the per-channel indexing differ. Uniform COLS is the length of the last axis: channels
 * (f32) or words (packed).
 */

export type BnStorage = 'f32' | 'packed';

export const REDUCE_THREADS = 64;
export const APPLY_THREADS = 64;

export interface Flavor {
  /** f32 or vec2<f32>: one column's values. */
  v: string;
  /** Storage element of x, y, dy, dx. */
  elem: string;
  /** Declarations the flavor needs (the pack helpers). */
  helpers: string;
  load(array: string, index: string): string;
  store(value: string): string;
  /** Channels, as a WGSL expression: the offset of the second half of [mean | variance]. */
  channels: string;
  /** Column c's channel values in an f32 per-channel array, from `offset` on. */
  channel(array: string, offset: string): string;
  /** Statements writing column c's `value` into an f32 per-channel array, from `offset` on. */
  writeChannel(array: string, offset: string, value: string): string;
}

const F32: Flavor = {
  v: 'f32',
  elem: 'f32',
  helpers: '',
  load: (array, index) => `${array}[${index}]`,
  store: (value) => value,
  channels: 'u.COLS',
  channel: (array, offset) => `${array}[${offset} + c]`,
  writeChannel: (array, offset, value) => `${array}[${offset} + c] = ${value};`,
};

const PACKED: Flavor = {
  v: 'vec2<f32>',
  elem: 'u32',
  helpers: packWgsl(false),
  load: (array, index) => `unpackWord(${array}[${index}])`,
  store: (value) => `packWord(${value})`,
  channels: '(2u * u.COLS)',
  channel: (array, offset) =>
    `vec2<f32>(${array}[${offset} + 2u * c], ${array}[${offset} + 2u * c + 1u])`,
  writeChannel: (array, offset, value) =>
    `${array}[${offset} + 2u * c] = (${value}).x; ${array}[${offset} + 2u * c + 1u] = (${value}).y;`,
};

export const flavorOf = (storage: BnStorage): Flavor => (storage === 'f32' ? F32 : PACKED);

/**
 * One workgroup per column: mean and biased variance (two passes over the column). Superseded in
 * training by bn-reduce-wgsl.ts (coalesced, one pass, many workgroups per column); kept as the
 * baseline it is measured and tested against.
 */
function statsWgsl(f: Flavor): string {
  return /* wgsl */ `
struct Uniforms { ROWS: u32, COLS: u32 };
@group(0) @binding(0) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> varOut: array<f32>;
// [mean | variance], both in one buffer for the other kernels (8 storage buffers at most).
@group(0) @binding(2) var<storage, read_write> statsOut: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(4) var<uniform> u: Uniforms;
var<workgroup> partial: array<${f.v}, ${REDUCE_THREADS}>;
${f.helpers}
fn reduce(lid: u32, value: ${f.v}) -> ${f.v} {
  partial[lid] = value;
  workgroupBarrier();
  for (var s = ${REDUCE_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(${REDUCE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let c = wid.x + wid.y * groups.x;
  if (c >= u.COLS) { return; }
  var s = ${f.v}(0.0);
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) { s += ${f.load('x', 'r * u.COLS + c')}; }
  let mean = reduce(lid, s) / f32(u.ROWS);
  var q = ${f.v}(0.0);
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) {
    let d = ${f.load('x', 'r * u.COLS + c')} - mean;
    q += d * d;
  }
  let variance = reduce(lid, q) / f32(u.ROWS);
  if (lid == 0u) {
    ${f.writeChannel('meanOut', '0u', 'mean')}
    ${f.writeChannel('varOut', '0u', 'variance')}
    ${f.writeChannel('statsOut', '0u', 'mean')}
    ${f.writeChannel('statsOut', f.channels, 'variance')}
  }
}
`;
}

function applyWgsl(f: Flavor): string {
  return /* wgsl */ `
struct Uniforms { SIZE: u32, COLS: u32, EPS: f32, RELU: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<${f.elem}>;
@group(0) @binding(1) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;
${f.helpers}
@compute @workgroup_size(${APPLY_THREADS}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${APPLY_THREADS}u;
  if (i >= u.SIZE) { return; }
  let c = i % u.COLS;
  let invstd = inverseSqrt(${f.channel('stats', f.channels)} + u.EPS);
  let y = (${f.load('x', 'i')} - ${f.channel('stats', '0u')}) * invstd * ${f.channel('gamma', '0u')}
    + ${f.channel('beta', '0u')};
  result[i] = ${f.store(`select(y, max(y, ${f.v}(0.0)), u.RELU == 1u)`)};
}
`;
}

/** dz = relu ? dy·[y > 0] : dy, as WGSL on loaded values `g` (dy) and `o` (the activated y). */
export function dz(f: Flavor): string {
  return `select(g, select(${f.v}(0.0), g, o > ${f.v}(0.0)), u.RELU == 1u)`;
}

function backwardReduceWgsl(f: Flavor): string {
  return /* wgsl */ `
struct Uniforms { ROWS: u32, COLS: u32, EPS: f32, RELU: u32 };
@group(0) @binding(0) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(1) var<storage, read_write> dGamma: array<f32>;
// [Σdz | Σdz·x̂] for the dx kernel.
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(4) var<storage, read> dy: array<${f.elem}>;
@group(0) @binding(5) var<storage, read> activated: array<${f.elem}>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;
var<workgroup> sumDz: array<${f.v}, ${REDUCE_THREADS}>;
var<workgroup> sumDzXhat: array<${f.v}, ${REDUCE_THREADS}>;
${f.helpers}
@compute @workgroup_size(${REDUCE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let c = wid.x + wid.y * groups.x;
  if (c >= u.COLS) { return; }
  let m = ${f.channel('stats', '0u')};
  let invstd = inverseSqrt(${f.channel('stats', f.channels)} + u.EPS);
  var a = ${f.v}(0.0);
  var b = ${f.v}(0.0);
  for (var r = lid; r < u.ROWS; r += ${REDUCE_THREADS}u) {
    let i = r * u.COLS + c;
    let g = ${f.load('dy', 'i')};
    let o = ${f.load('activated', 'i')};
    let dz = ${dz(f)};
    a += dz;
    b += dz * (${f.load('x', 'i')} - m) * invstd;
  }
  sumDz[lid] = a;
  sumDzXhat[lid] = b;
  workgroupBarrier();
  for (var s = ${REDUCE_THREADS / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) {
      sumDz[lid] += sumDz[lid + s];
      sumDzXhat[lid] += sumDzXhat[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    ${f.writeChannel('dBeta', '0u', 'sumDz[0]')}
    ${f.writeChannel('dGamma', '0u', 'sumDzXhat[0]')}
    ${f.writeChannel('sums', '0u', 'sumDz[0]')}
    ${f.writeChannel('sums', f.channels, 'sumDzXhat[0]')}
  }
}
`;
}

/**
 * dx. In the packed flavor it packs a gradient: beyond the f16 range that raises the overflow
 * flag (the 8th storage buffer: the least every adapter allows per stage).
 */
function backwardApplyWgsl(f: Flavor): string {
  const packed = f.elem === 'u32';
  return /* wgsl */ `
struct Uniforms { SIZE: u32, COLS: u32, EPS: f32, RELU: u32, ROWS: u32 };
@group(0) @binding(0) var<storage, read_write> dx: array<${f.elem}>;
@group(0) @binding(1) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(2) var<storage, read> dy: array<${f.elem}>;
@group(0) @binding(3) var<storage, read> activated: array<${f.elem}>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read> sums: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;${packed ? overflowFlagWgsl(8) : ''}
${packed ? packWgsl(true) : f.helpers}
@compute @workgroup_size(${APPLY_THREADS}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${APPLY_THREADS}u;
  if (i >= u.SIZE) { return; }
  let c = i % u.COLS;
  let invstd = inverseSqrt(${f.channel('stats', f.channels)} + u.EPS);
  let g = ${f.load('dy', 'i')};
  let o = ${f.load('activated', 'i')};
  let dz = ${dz(f)};
  let xhat = (${f.load('x', 'i')} - ${f.channel('stats', '0u')}) * invstd;
  let rows = f32(u.ROWS);
  dx[i] = ${f.store(
    `${f.channel('gamma', '0u')} * invstd * (dz - ${f.channel('sums', '0u')} / rows - xhat * ${f.channel('sums', f.channels)} / rows)`,
  )};
}
`;
}

export interface BnShaders {
  stats: { code: string; label: string };
  apply: { code: string; label: string };
  backwardReduce: { code: string; label: string };
  /** Packed: raises the overflow flag (dispatch it with `overflowFlag`). */
  backwardApply: { code: string; label: string; overflowFlag: boolean };
}

/** The four shaders of one storage flavor (labels 'bn-per-channel-…', 'packed-bn-per-channel-…'). */
export function bnShaders(storage: BnStorage): BnShaders {
  const f = flavorOf(storage);
  const prefix = storage === 'f32' ? 'bn' : 'packed-bn';
  return {
    stats: { code: statsWgsl(f), label: `${prefix}-per-channel-stats` },
    apply: { code: applyWgsl(f), label: `${prefix}-per-channel-apply` },
    backwardReduce: {
      code: backwardReduceWgsl(f),
      label: `${prefix}-per-channel-backward-reduce`,
    },
    backwardApply: {
      code: backwardApplyWgsl(f),
      label: `${prefix}-per-channel-backward-apply`,
      overflowFlag: storage === 'packed',
    },
  };
}
