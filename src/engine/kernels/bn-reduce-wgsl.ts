import { packWgsl } from '../packed/layout';
import { BN_THREADS } from './bn-geometry';
import { dz, flavorOf, type BnStorage, type Flavor } from './bn-wgsl';
import type { FlaggedShader, ShaderSource } from './dispatch';
import { overflowFlagWgsl } from './f16-rounding';

/**
 * The WGSL of training-mode BatchNorm (+ReLU) with coalesced, one-pass reductions, in the two
 * storage flavors of bn-wgsl.ts (whose per-channel kernels these replace in training). All four
 * kernels tile [ROWS, COLS] alike (bn-geometry.ts): a workgroup is WIDTH consecutive columns ×
 * LANES rows, so consecutive invocations load consecutive words of a row.
 *
 * Forward, two dispatches:
 * - partial statistics: each workgroup of the (column block × row block) grid reduces its rows in
 *   one pass to per-column mean and M2 = Σ(x − mean)²: Welford's update per invocation, Chan's
 *   combination between invocations and between blocks. Plain Σx and Σx² in f32 lose the
 *   variance when |mean| ≫ std; sums about a shift (the column's first value) lose it when that
 *   value is an outlier (measured: a ResNet's gradients then drift past their tolerance).
 * - apply: each workgroup first combines its columns' partials (a few cached loads per
 *   invocation), then normalizes its rows; the workgroups of row block 0 write the statistics.
 * Backward, two dispatches in the same shape: partial Σdz and Σdz·x̂, then dx, where the row
 * block 0 workgroups write dβ and dγ.
 *
 * Storage buffers (8 at most per stage): the forward apply uses all 8, so it writes γ into the
 * statistics it saves for the backward ([mean | variance | γ]); the backward reduction copies
 * them behind its partials, so the backward apply reads one buffer for both and, packed, keeps
 * the 8th binding for the overflow flag.
 */

/** One uniform struct for every kernel; TS fills it from the geometry (coalesced-bn.ts). */
const UNIFORMS = /* wgsl */ `
struct Uniforms {
  ROWS: u32,
  COLS: u32,
  WIDTH: u32,
  LANES: u32,
  COL_BLOCKS: u32,
  // This dispatch's row blocks and rows per block (the reduction's or the apply's).
  ROW_BLOCKS: u32,
  BLOCK_ROWS: u32,
  // Row blocks of the reduction (partials per column) and rows per such block.
  PARTIALS: u32,
  PARTIAL_ROWS: u32,
  EPS: f32,
  RELU: u32,
  // Lanes of a column one subgroup holds (bnSubgroupChunk): 1 without subgroup shuffles.
  CHUNK: u32,
};`;

/**
 * The workgroup's lane sums; totals of column lid % WIDTH end in sumA/sumB[lid % WIDTH]. With
 * subgroups, each subgroup first sums the `chunk` lanes of a column it holds by shuffles (a
 * column's lanes are WIDTH invocations apart: subgroupAdd would mix columns), and the tree over
 * workgroup memory takes log2(chunk) fewer barrier rounds.
 */
function laneSumWgsl(f: Flavor, subgroups: boolean): string {
  return /* wgsl */ `
var<workgroup> sumA: array<${f.v}, ${BN_THREADS}>;
var<workgroup> sumB: array<${f.v}, ${BN_THREADS}>;
fn sumOverLanes(lid: u32, chunk: u32, a: ${f.v}, b: ${f.v}) {
  var x = a;
  var y = b;${
    subgroups
      ? `
  for (var o = u.WIDTH; o < u.WIDTH * chunk; o <<= 1u) {
    x += subgroupShuffleXor(x, o);
    y += subgroupShuffleXor(y, o);
  }`
      : ''
  }
  sumA[lid] = x;
  sumB[lid] = y;
  workgroupBarrier();
  let lane = lid / u.WIDTH;
  for (var s = u.LANES / 2u; s >= chunk; s >>= 1u) {
    if (lane < s) {
      sumA[lid] += sumA[lid + s * u.WIDTH];
      sumB[lid] += sumB[lid + s * u.WIDTH];
    }
    workgroupBarrier();
  }
}`;
}

/**
 * Count, mean and M2 of a column's values, merged by Chan et al.'s pairwise formula; the count is
 * an f32 (exact up to 2^24 rows, far above any batch's).
 */
function momentsWgsl(f: Flavor, subgroups: boolean): string {
  return /* wgsl */ `
struct Moments { n: f32, mean: ${f.v}, m2: ${f.v} };
fn merged(a: Moments, b: Moments) -> Moments {
  let n = a.n + b.n;
  if (n == 0.0) { return a; }
  let delta = b.mean - a.mean;
  let w = b.n / n;
  return Moments(n, a.mean + delta * w, a.m2 + b.m2 + delta * delta * (a.n * w));
}
var<workgroup> laneCount: array<f32, ${BN_THREADS}>;
var<workgroup> laneMean: array<${f.v}, ${BN_THREADS}>;
var<workgroup> laneM2: array<${f.v}, ${BN_THREADS}>;
// The workgroup's lanes merged: column lid % WIDTH's moments end at index lid % WIDTH.
fn mergeOverLanes(lid: u32, chunk: u32, mine: Moments) {
  var m = mine;${
    subgroups
      ? `
  for (var o = u.WIDTH; o < u.WIDTH * chunk; o <<= 1u) {
    let other = Moments(subgroupShuffleXor(m.n, o), subgroupShuffleXor(m.mean, o),
                        subgroupShuffleXor(m.m2, o));
    m = merged(m, other);
  }`
      : ''
  }
  laneCount[lid] = m.n;
  laneMean[lid] = m.mean;
  laneM2[lid] = m.m2;
  workgroupBarrier();
  let lane = lid / u.WIDTH;
  for (var s = u.LANES / 2u; s >= chunk; s >>= 1u) {
    if (lane < s) {
      let o = lid + s * u.WIDTH;
      let r = merged(Moments(laneCount[lid], laneMean[lid], laneM2[lid]),
                     Moments(laneCount[o], laneMean[o], laneM2[o]));
      laneCount[lid] = r.n;
      laneMean[lid] = r.mean;
      laneM2[lid] = r.m2;
    }
    workgroupBarrier();
  }
}`;
}

/** What precedes a kernel's declarations: with subgroups, the extension. */
function header(subgroups: boolean): string {
  return subgroups ? 'enable subgroups;\n' : '';
}

/** main's signature and the invocation's place: row block, lane, column c, its rows. */
const ENTRY = /* wgsl */ `
@compute @workgroup_size(${BN_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let tile = wid.x + wid.y * groups.x;
  if (tile >= u.COL_BLOCKS * u.ROW_BLOCKS) { return; }
  let chunk = u.CHUNK;
  let block = tile / u.COL_BLOCKS;
  let lane = lid / u.WIDTH;
  let c = (tile % u.COL_BLOCKS) * u.WIDTH + lid % u.WIDTH;
  let valid = c < u.COLS;
  let first = block * u.BLOCK_ROWS;
  let end = min(first + u.BLOCK_ROWS, u.ROWS);`;

/** Offset of partial block `p`'s first quantity in the partials buffer ([A | B] per block). */
const partialAt = (f: Flavor, p: string): string => `${p} * 2u * ${f.channels}`;

/** Statements summing the partials of column c over this invocation's share of the blocks. */
function combinePartials(f: Flavor): string {
  return /* wgsl */ `
  var a = ${f.v}(0.0);
  var b = ${f.v}(0.0);
  if (valid) {
    for (var p = lane; p < u.PARTIALS; p += u.LANES) {
      a += ${f.channel('partials', partialAt(f, 'p'))};
      b += ${f.channel('partials', `${partialAt(f, 'p')} + ${f.channels}`)};
    }
  }
  sumOverLanes(lid, chunk, a, b);
  if (!valid) { return; }`;
}

/** Forward reduction: per row block and column, mean and M2 ([mean | M2] per block). */
function partialStatsWgsl(f: Flavor, subgroups: boolean): string {
  return /* wgsl */ `${header(subgroups)}${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${momentsWgsl(f, subgroups)}
${f.helpers}
${ENTRY}
  var m = Moments(0.0, ${f.v}(0.0), ${f.v}(0.0));
  if (valid) {
    for (var r = first + lane; r < end; r += u.LANES) {
      // Welford: one division per value, hidden behind the load in this memory-bound loop.
      let value = ${f.load('x', 'r * u.COLS + c')};
      m.n += 1.0;
      let delta = value - m.mean;
      m.mean += delta / m.n;
      m.m2 += delta * (value - m.mean);
    }
  }
  mergeOverLanes(lid, chunk, m);
  if (lane == 0u && valid) {
    ${f.writeChannel('partials', partialAt(f, 'block'), 'laneMean[lid]')}
    ${f.writeChannel('partials', `${partialAt(f, 'block')} + ${f.channels}`, 'laneM2[lid]')}
  }
}
`;
}

/** Forward apply: combines the partials into mean and biased variance, then y. */
function statsApplyWgsl(f: Flavor, subgroups: boolean): string {
  return /* wgsl */ `${header(subgroups)}${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> result: array<${f.elem}>;
@group(0) @binding(1) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(2) var<storage, read_write> varOut: array<f32>;
// [mean | variance | γ]: what the backward needs, in one buffer.
@group(0) @binding(3) var<storage, read_write> statsOut: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(5) var<storage, read> partials: array<f32>;
@group(0) @binding(6) var<storage, read> gamma: array<f32>;
@group(0) @binding(7) var<storage, read> beta: array<f32>;
@group(0) @binding(8) var<uniform> u: Uniforms;
${momentsWgsl(f, subgroups)}
${f.helpers}
${ENTRY}
  var m = Moments(0.0, ${f.v}(0.0), ${f.v}(0.0));
  if (valid) {
    for (var p = lane; p < u.PARTIALS; p += u.LANES) {
      let rowsOfP = f32(min(u.PARTIAL_ROWS, u.ROWS - p * u.PARTIAL_ROWS));
      m = merged(m, Moments(rowsOfP, ${f.channel('partials', partialAt(f, 'p'))},
                            ${f.channel('partials', `${partialAt(f, 'p')} + ${f.channels}`)}));
    }
  }
  mergeOverLanes(lid, chunk, m);
  if (!valid) { return; }
  let column = lid % u.WIDTH;
  let mean = laneMean[column];
  let variance = laneM2[column] / f32(u.ROWS);
  let scale = ${f.channel('gamma', '0u')};
  let offset = ${f.channel('beta', '0u')};
  if (block == 0u && lane == 0u) {
    ${f.writeChannel('meanOut', '0u', 'mean')}
    ${f.writeChannel('varOut', '0u', 'variance')}
    ${f.writeChannel('statsOut', '0u', 'mean')}
    ${f.writeChannel('statsOut', f.channels, 'variance')}
    ${f.writeChannel('statsOut', `2u * ${f.channels}`, 'scale')}
  }
  let invstd = inverseSqrt(variance + u.EPS);
  for (var r = first + lane; r < end; r += u.LANES) {
    let i = r * u.COLS + c;
    let y = (${f.load('x', 'i')} - mean) * invstd * scale + offset;
    result[i] = ${f.store(`select(y, max(y, ${f.v}(0.0)), u.RELU == 1u)`)};
  }
}
`;
}

/**
 * Backward reduction: per row block and column, Σdz and Σdz·x̂; row block 0 also copies the
 * forward's [mean | variance | γ] behind the partials, for the backward apply.
 */
function partialGradSumsWgsl(f: Flavor, subgroups: boolean): string {
  return /* wgsl */ `${header(subgroups)}${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(2) var<storage, read> dy: array<${f.elem}>;
@group(0) @binding(3) var<storage, read> activated: array<${f.elem}>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<uniform> u: Uniforms;
${laneSumWgsl(f, subgroups)}
${f.helpers}
${ENTRY}
  var a = ${f.v}(0.0);
  var b = ${f.v}(0.0);
  if (valid) {
    let m = ${f.channel('stats', '0u')};
    let invstd = inverseSqrt(${f.channel('stats', f.channels)} + u.EPS);
    for (var r = first + lane; r < end; r += u.LANES) {
      let i = r * u.COLS + c;
      let g = ${f.load('dy', 'i')};
      let o = ${f.load('activated', 'i')};
      let dz = ${dz(f)};
      a += dz;
      b += dz * (${f.load('x', 'i')} - m) * invstd;
    }
  }
  sumOverLanes(lid, chunk, a, b);
  if (lane == 0u && valid) {
    ${f.writeChannel('partials', partialAt(f, 'block'), 'sumA[lid]')}
    ${f.writeChannel('partials', `${partialAt(f, 'block')} + ${f.channels}`, 'sumB[lid]')}
    if (block == 0u) {
      let header = ${partialAt(f, 'u.PARTIALS')};
      for (var k = 0u; k < 3u; k++) {
        ${f.writeChannel('partials', `header + k * ${f.channels}`, f.channel('stats', `k * ${f.channels}`))}
      }
    }
  }
}
`;
}

/**
 * Backward apply: combines the partials into Σdz and Σdz·x̂, then dx; row block 0 writes dβ and
 * dγ. Packed, it packs a gradient: beyond the f16 range that raises the overflow flag.
 */
function gradSumsApplyWgsl(f: Flavor, subgroups: boolean): string {
  const packed = f.elem === 'u32';
  return /* wgsl */ `${header(subgroups)}${UNIFORMS}
@group(0) @binding(0) var<storage, read_write> dx: array<${f.elem}>;
@group(0) @binding(1) var<storage, read_write> dBeta: array<f32>;
@group(0) @binding(2) var<storage, read_write> dGamma: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<${f.elem}>;
@group(0) @binding(4) var<storage, read> dy: array<${f.elem}>;
@group(0) @binding(5) var<storage, read> activated: array<${f.elem}>;
// Partial [Σdz | Σdz·x̂] per row block, then [mean | variance | γ].
@group(0) @binding(6) var<storage, read> partials: array<f32>;
@group(0) @binding(7) var<uniform> u: Uniforms;${packed ? overflowFlagWgsl(8) : ''}
${laneSumWgsl(f, subgroups)}
${packed ? packWgsl(true) : f.helpers}
${ENTRY}${combinePartials(f)}
  let column = lid % u.WIDTH;
  let sumDz = sumA[column];
  let sumDzXhat = sumB[column];
  if (block == 0u && lane == 0u) {
    ${f.writeChannel('dBeta', '0u', 'sumDz')}
    ${f.writeChannel('dGamma', '0u', 'sumDzXhat')}
  }
  let header = ${partialAt(f, 'u.PARTIALS')};
  let m = ${f.channel('partials', 'header')};
  let invstd = inverseSqrt(${f.channel('partials', `header + ${f.channels}`)} + u.EPS);
  let scale = ${f.channel('partials', `header + 2u * ${f.channels}`)};
  let rows = f32(u.ROWS);
  for (var r = first + lane; r < end; r += u.LANES) {
    let i = r * u.COLS + c;
    let g = ${f.load('dy', 'i')};
    let o = ${f.load('activated', 'i')};
    let dz = ${dz(f)};
    let xhat = (${f.load('x', 'i')} - m) * invstd;
    dx[i] = ${f.store('scale * invstd * (dz - sumDz / rows - xhat * sumDzXhat / rows)')};
  }
}
`;
}

export interface CoalescedBnShaders {
  partialStats: ShaderSource;
  statsApply: ShaderSource;
  partialGradSums: ShaderSource;
  /** Packed: raises the overflow flag (dispatch it with `overflowFlag`). */
  gradSumsApply: FlaggedShader;
}

/**
 * The four shaders of one storage flavor, labelled by their role as the per-channel kernels were
 * ('bn-stats', 'bn-apply', 'bn-backward-reduce', 'bn-backward-apply'; 'packed-bn-…'): step
 * profiles and benchmarks name BN's kernels by those labels. `subgroups`: the lane sums start
 * with subgroup shuffles (a device with the 'subgroups' feature only).
 */
export function coalescedBnShaders(storage: BnStorage, subgroups = false): CoalescedBnShaders {
  const f = flavorOf(storage);
  const prefix = storage === 'f32' ? 'bn' : 'packed-bn';
  return {
    partialStats: { code: partialStatsWgsl(f, subgroups), label: `${prefix}-stats` },
    statsApply: { code: statsApplyWgsl(f, subgroups), label: `${prefix}-apply` },
    partialGradSums: {
      code: partialGradSumsWgsl(f, subgroups),
      label: `${prefix}-backward-reduce`,
    },
    gradSumsApply: {
      code: gradSumsApplyWgsl(f, subgroups),
      label: `${prefix}-backward-apply`,
      overflowFlag: storage === 'packed',
    },
  };
}
