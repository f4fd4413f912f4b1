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
import { F32, formatKey, numberFormat, type NumberFormat } from '../../config/number-format';
import { backendDevice, runProgram, workgroupGrid, type FlaggedShader } from './dispatch';
import { convGemm2, type ConvGemm2, type GemmOperand } from './tiled-conv-v2-gemms';
import {
  SUM_WORKGROUP,
  sumShader,
  threadsOf,
  tiledFilterGradSplits,
  tileShape,
  type TileShape,
} from './tiled-conv';

/**
 * Second-generation tiled convolution kernels (f32 arithmetic): implicit GEMMs like tiled-conv.ts's, built
 * for arithmetic throughput on wide GPUs rather than for one pipeline per network:
 * - outer-product inner loop: per k, acc[i] = fma(vec4(a_i), b_row, acc[i]), one A element
 *   broadcast against a vec4 row of B: 16 multiply-adds in 4 instructions, where 4-term dot
 *   products then an add take 20;
 * - both tiles k-major with the GEMM's M or N contiguous (A as [k][m], B as [k][n]): a thread's
 *   reads are vec4 broadcasts (A) and consecutive vec4s across the warp (B), conflict-free; loads
 *   whose memory runs along k scatter 4 scalar stores to 4 k rows, at consecutive addresses across
 *   the warp, also conflict-free;
 * - a double-buffered K loop: slice s + 1 goes from global memory to registers while slice s is
 *   multiplied, then into the other tile buffer; one barrier per slice instead of two;
 * - the layer's geometry baked as WGSL constants (tiled-conv-v2-gemms.ts): no runtime division.
 *   The price: one pipeline per layer shape and op (~1 s each to compile on CPU drivers, more in
 *   tuning, which compiles every candidate);
 * - the input gradient of a strided convolution as one GEMM per stride phase, all in one dispatch
 *   (the phase is a workgroup coordinate): no multiply-add on inserted zeros.
 * The filter gradient splits K across workgroups as tiled-conv.ts does, and sums with its pass.
 *
 * Number formats: f32 arithmetic on f32 storage, or on f16 storage (even channels): operands read
 * as f16 words and unpacked
 * into the f32 tiles, forward and input gradient outputs rounded to f16 and packed (each thread
 * owns 4 adjacent columns: 2 whole words), the filter gradient f32 as ever. f16 and emulated
 * arithmetic are not offered: their rounding is defined per 4-term dot product (tiled-conv.ts),
 * which an outer product does not form.
 */

/** The formats these kernels run: f32 arithmetic, on either storage. */
export const TILED2_FORMATS: readonly NumberFormat[] = [F32, numberFormat('f16', 'f32')];

/** Whether the kernels run this layer in `p` (f16 storage: even channels, two per word). */
export function tiledConv2Applies(g: ConvGeometry, p: NumberFormat): boolean {
  if (p.arithmetic !== 'f32') return false;
  return p.storage === 'f32' || (g.inChannels % 2 === 0 && g.outChannels % 2 === 0);
}

export interface TileShape2 extends TileShape {
  /** 'tiled2-<tileM>x<tileN>'. */
  id: string;
}

const shape2 = (tileM: number, tileN: number, tileK: number, regM: number, regN: number) =>
  tileShape('tiled2', tileM, tileN, tileK, regM, regN);

/**
 * Workgroup memory is 2 buffers × (tileK·tileM + tileK·tileN) f32: tileK is the largest multiple
 * of 8 within WebGPU's guaranteed 16 KiB.
 * - 128×64, 8×4 per thread (256 threads): the most reuse, 12 KiB (tileK 8);
 * - 64×64, 4×4 (256): 4× the workgroups of 128×128-class tiles for smaller layers, 16 KiB
 *   (tileK 16);
 * - 128×32, 8×4 (128) and 128×16, 4×4 (128): narrow layers (16 and 32 channels), where a wide
 *   tile would multiply zeros in most of its columns.
 */
export const TILE_SHAPES_2: readonly TileShape2[] = [
  shape2(128, 64, 8, 8, 4),
  shape2(64, 64, 16, 4, 4),
  shape2(128, 32, 8, 8, 4),
  shape2(128, 16, 8, 4, 4),
];

export function tileShape2ById(id: string): TileShape2 | undefined {
  return TILE_SHAPES_2.find((s) => s.id === id);
}

/** Bytes of workgroup memory: two buffers of both tiles, f32. */
export function workgroupBytes2(s: TileShape): number {
  return 2 * s.tileK * (s.tileM + s.tileN) * 4;
}

function checkShape(s: TileShape): void {
  const ok =
    s.regM % 4 === 0 &&
    s.regN % 4 === 0 &&
    s.tileM % s.regM === 0 &&
    s.tileN % s.regN === 0 &&
    s.tileK % 4 === 0 &&
    threadsOf(s) <= 256;
  if (!ok) throw new Error(`tiled conv v2: unusable tile shape ${JSON.stringify(s)}`);
}

/** Whether a shape's workgroups fit the device. */
export function tileShape2Fits(
  shape: TileShape,
  limits: Pick<
    GPUSupportedLimits,
    'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup'
  >,
): boolean {
  return (
    workgroupBytes2(shape) <= limits.maxComputeWorkgroupStorageSize &&
    threadsOf(shape) <= limits.maxComputeInvocationsPerWorkgroup
  );
}

/** The GEMM's N of an op: output channels, input channels for the input gradient. */
export function gemmColumns(op: ConvOp, g: ConvGeometry): number {
  return op === 'inputGrad' ? g.inChannels : g.outChannels;
}

/**
 * Whether a shape is worth timing for this op: its tileN is N rounded up to a power of two,
 * within 16…64 (so N = 16 → 128×16, 32 → 128×32, wider → 128×64 and 64×64). A wider tile
 * multiplies zero columns; a narrower one re-reads A for each column of tiles; and every candidate
 * costs the tuner a compile per layer shape (its geometry is compiled in), on the first visit and
 * in every test that tunes.
 */
export function tileShape2Suits(shape: TileShape, op: ConvOp, g: ConvGeometry): boolean {
  const n = gemmColumns(op, g);
  return shape.tileN === Math.min(64, Math.max(16, 2 ** Math.ceil(Math.log2(n))));
}

/**
 * The loads of operand X (A or B), over the workgroup's threads: `prepareX` computes the row
 * parts of this thread's elements once; `fetchX` reads one slice into registers; `storeX` writes
 * the registers into one tile buffer. Element e of a slice goes to thread e % THREADS, slot
 * e / THREADS; the outer index runs fastest, so the tile stores of a warp are consecutive.
 */
function operandWgsl(
  x: 'A' | 'B',
  o: GemmOperand,
  extent: number,
  s: TileShape,
  f: Flavor,
): string {
  const threads = threadsOf(s);
  const t4 = extent / 4;
  // Per element: outer offset r and k offset kk within the slice, and its count.
  const layout =
    o.vec4 === 'outer'
      ? { r: `(e % ${t4}u) * 4u`, kk: `e / ${t4}u`, count: s.tileK * t4 }
      : o.vec4 === 'k'
        ? { r: `e % ${extent}u`, kk: `(e / ${extent}u) * 4u`, count: (extent * s.tileK) / 4 }
        : { r: `e % ${extent}u`, kk: `e / ${extent}u`, count: extent * s.tileK };
  const slots = Math.ceil(layout.count / threads);
  const guard = layout.count % threads === 0 ? '' : `\n    if (e >= ${layout.count}u) { break; }`;
  const vec = o.vec4 !== null;
  const value = vec ? 'vec4<f32>' : 'f32';
  // Packed scalar loads read the word of each element and take its half.
  const read = vec
    ? f.unpack(`${o.buffer}[u32(i) / 4u]`)
    : f.packed
      ? `unpackAt(${o.buffer}[u32(i) / 2u], u32(i))`
      : `${o.buffer}[u32(i)]`;
  // Tile element (k, r) is tile${x}[buffer·TK·T4 + k·T4 + r/4][r % 4].
  const store =
    o.vec4 === 'outer'
      ? `tile${x}[base + kk * ${t4}u + r / 4u] = v;`
      : o.vec4 === 'k'
        ? [0, 1, 2, 3]
            .map((c) => `tile${x}[base + (kk + ${c}u) * ${t4}u + r / 4u][r % 4u] = v[${c}];`)
            .join('\n    ')
        : `tile${x}[base + kk * ${t4}u + r / 4u][r % 4u] = v;`;
  return /* wgsl */ `
fn row${x}(o: u32, z: u32) -> vec4<i32> {${o.rowPart}
}

fn col${x}(k: u32, z: u32) -> vec4<i32> {${o.colPart}
}

fn index${x}(p: vec4<i32>, q: vec4<i32>) -> i32 {${o.index}
}

const SLOTS_${x}: u32 = ${slots}u;
var<private> rows${x}: array<vec4<i32>, SLOTS_${x}>;
var<private> regs${x}: array<${value}, SLOTS_${x}>;

fn prepare${x}(o0: u32, z: u32, flat: u32) {
  for (var slot = 0u; slot < SLOTS_${x}; slot++) {
    let e = flat + slot * THREADS;
    rows${x}[slot] = row${x}(o0 + ${layout.r}, z);
  }
}

fn fetch${x}(k0: u32, kEnd: u32, z: u32, flat: u32) {
  for (var slot = 0u; slot < SLOTS_${x}; slot++) {
    let e = flat + slot * THREADS;${guard}
    let k = k0 + ${layout.kk};
    let p = rows${x}[slot];
    var v = ${value}();
    if (p.w != 0 && k < kEnd) {
      let i = index${x}(p, col${x}(k, z));
      if (i >= 0) { v = ${read}; }
    }
    regs${x}[slot] = v;
  }
}

fn store${x}(buffer: u32, flat: u32) {
  let base = buffer * TK * ${t4}u;
  for (var slot = 0u; slot < SLOTS_${x}; slot++) {
    let e = flat + slot * THREADS;${guard}
    let r = ${layout.r};
    let kk = ${layout.kk};
    let v = regs${x}[slot];
    ${store}
  }
}`;
}

/** The multiply-adds of one k: RM/4 A vec4s (broadcast) and RN/4 B vec4s, outer products. */
function outerProductWgsl(s: TileShape): string {
  const lines: string[] = [];
  const rm4 = s.regM / 4;
  const rn4 = s.regN / 4;
  for (let g = 0; g < rm4; g++) {
    lines.push(`let a${g} = tileA[aRow + lid.y + ${g}u * TY];`);
  }
  for (let h = 0; h < rn4; h++) {
    lines.push(`let b${h} = tileB[bRow + lid.x + ${h}u * TX];`);
  }
  for (let g = 0; g < rm4; g++) {
    for (let c = 0; c < 4; c++) {
      for (let h = 0; h < rn4; h++) {
        const i = (g * 4 + c) * rn4 + h;
        lines.push(`acc[${i}] = fma(vec4<f32>(a${g}[${c}]), b${h}, acc[${i}]);`);
      }
    }
  }
  return lines.join('\n      ');
}

/** How the output is stored: f32 (vec4 where N allows), or packed f16 words. */
interface OutputStore {
  /** Element type of `result`. */
  element: string;
  /** The statements that store acc[i·RN4 + h] at row r, columns n … n + 3. */
  write: string;
}

function outputStore(gemm: ConvGemm2, f: Flavor, splits: number): OutputStore {
  const acc = 'acc[i * RN4 + h]';
  const vec4Out = gemm.N % 4 === 0;
  if (gemm.output === 'activation' && f.packed) {
    // N is even and n a multiple of 4: the words (n, n + 1) and (n + 2, n + 3) are whole.
    return vec4Out
      ? {
          element: 'vec2<u32>',
          write: `if (n < N) { result[(u32(r) * N + n) / 4u] = ${f.pack(acc)}; }`,
        }
      : {
          element: 'u32',
          write: `let words = ${f.pack(acc)};
      for (var c = 0u; c < 2u; c++) {
        if (n + 2u * c < N) { result[(u32(r) * N + n) / 2u + c] = words[c]; }
      }`,
        };
  }
  // Split partials stay unrounded; a single split (or an activation) is the result itself.
  const value = splits > 1 ? acc : f.store(acc);
  return vec4Out
    ? {
        element: 'vec4<f32>',
        write: `if (n < N) { result[(base + u32(r) * N + n) / 4u] = ${value}; }`,
      }
    : {
        element: 'f32',
        write: `let v = ${value};
      for (var c = 0u; c < 4u; c++) {
        if (n + c < N) { result[base + u32(r) * N + n + c] = v[c]; }
      }`,
      };
}

/**
 * The thread's outputs: rows 4·(lid.y + g·TY) + c, columns 4·(lid.x + h·TX) + 0…3, so that
 * neighbouring threads write neighbouring vec4s (or word pairs).
 */
function storeOutputsWgsl(gemm: ConvGemm2, s: TileShape, out: OutputStore): string {
  return /* wgsl */ `
  // Split partials at split·M·N (the filter gradient's split-K); 0 otherwise.
  let base = ${gemm.op === 'filterGrad' ? 'z * M' : '0u'} * N;
  for (var i = 0u; i < RM; i++) {
    let r = outRow(row0 + (lid.y + (i / 4u) * TY) * 4u + i % 4u, phase);
    if (r < 0) { continue; }
    for (var h = 0u; h < ${s.regN / 4}u; h++) {
      let n = col0 + (lid.x + h * TX) * 4u;
      ${out.write}
    }
  }`;
}

function tiledWgsl2(gemm: ConvGemm2, s: TileShape, splits: number, f: Flavor): string {
  const tx = s.tileN / s.regN;
  const ty = s.tileM / s.regM;
  const out = outputStore(gemm, f, splits);
  const elem = (o: GemmOperand) => (o.vec4 === null ? f.word : f.word4);
  const zSlices = gemm.op === 'filterGrad' ? splits : gemm.slices;
  return /* wgsl */ `${f.header}
struct Uniforms { K_CHUNK: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<${out.element}>;
@group(0) @binding(1) var<storage, read> ${gemm.a.buffer}: array<${elem(gemm.a)}>;
@group(0) @binding(2) var<storage, read> ${gemm.b.buffer}: array<${elem(gemm.b)}>;
@group(0) @binding(3) var<uniform> u: Uniforms;${f.flagBinding(4)}

${gemm.prelude}
const M: u32 = ${gemm.M}u;
const N: u32 = ${gemm.N}u;
const M_TILES: u32 = ${Math.ceil(gemm.M / s.tileM)}u;
// z-slices: stride phases (input gradient), K splits (filter gradient), else 1.
const Z_SLICES: u32 = ${zSlices}u;
const TM: u32 = ${s.tileM}u;
const TN: u32 = ${s.tileN}u;
const TK: u32 = ${s.tileK}u;
const RM: u32 = ${s.regM}u;
const RN4: u32 = ${s.regN / 4}u;
const TX: u32 = ${tx}u;
const TY: u32 = ${ty}u;
const THREADS: u32 = ${tx * ty}u;

// Two buffers of [TK][TM/4] and [TK][TN/4] vec4s: k-major, M and N contiguous.
var<workgroup> tileA: array<vec4<f32>, ${2 * s.tileK * (s.tileM / 4)}>;
var<workgroup> tileB: array<vec4<f32>, ${2 * s.tileK * (s.tileN / 4)}>;
${operandWgsl('A', gemm.a, s.tileM, s, f)}
${operandWgsl('B', gemm.b, s.tileN, s, f)}

fn outRow(m: u32, z: u32) -> i32 {${gemm.outRow}
}

fn sliceK(z: u32) -> u32 { return ${gemm.kOf}; }

@compute @workgroup_size(${tx}, ${ty}, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  // z = slice + Z_SLICES·fold: M tiles beyond the y limit fold into z.
  let z = wid.z % Z_SLICES;
  let mTile = wid.y + (wid.z / Z_SLICES) * groups.y;
  if (mTile >= M_TILES) { return; }
  let row0 = mTile * TM;
  let col0 = wid.x * TN;
  ${gemm.op === 'filterGrad' ? 'let split = z;\n  let phase = 0u;' : 'let split = 0u;\n  let phase = z;'}
  let kStart = split * u.K_CHUNK;
  let kEnd = min(sliceK(phase), kStart + u.K_CHUNK);
  let slices = (max(kEnd, kStart) - kStart + TK - 1u) / TK;
  prepareA(row0, phase, flat);
  prepareB(col0, phase, flat);
  var acc: array<vec4<f32>, ${s.regM * (s.regN / 4)}>;

  if (slices > 0u) {
    fetchA(kStart, kEnd, phase, flat);
    fetchB(kStart, kEnd, phase, flat);
    storeA(0u, flat);
    storeB(0u, flat);
  }
  workgroupBarrier();
  for (var slice = 0u; slice < slices; slice++) {
    let current = slice % 2u;
    let more = slice + 1u < slices;
    // The next slice's global loads are in flight during this slice's multiply-adds.
    if (more) {
      let k0 = kStart + (slice + 1u) * TK;
      fetchA(k0, kEnd, phase, flat);
      fetchB(k0, kEnd, phase, flat);
    }
    for (var k = 0u; k < TK; k++) {
      let aRow = (current * TK + k) * ${s.tileM / 4}u;
      let bRow = (current * TK + k) * ${s.tileN / 4}u;
      ${outerProductWgsl(s)}
    }
    // The other buffer's last readers passed the previous barrier: one barrier per slice.
    if (more) {
      storeA(1u - current, flat);
      storeB(1u - current, flat);
    }
    workgroupBarrier();
  }
${storeOutputsWgsl(gemm, s, out)}
}
`;
}

/** Splits of the reduction: the filter gradient's split-K (tiled-conv.ts's rule), else one. */
function splitsOf(gemm: ConvGemm2, g: ConvGeometry, s: TileShape) {
  if (gemm.op === 'filterGrad') return tiledFilterGradSplits(g, s);
  return { splits: 1, kChunk: Math.ceil(gemm.K / s.tileK) * s.tileK };
}

const loadsOf = (gemm: ConvGemm2) =>
  [gemm.a, gemm.b].map((o) => (o.vec4 === null ? 'scalar' : 'vec4')).join('-');

function mainShader(
  gemm: ConvGemm2,
  g: ConvGeometry,
  s: TileShape,
  splits: number,
  format: NumberFormat,
): FlaggedShader {
  checkShape(s);
  const overflowFlag = flagsOverflow(gemm.op, format);
  // Geometry is in the code: the label says which layer, for error messages.
  const layer = `${g.kernelHeight}x${g.kernelWidth}/${g.stride} ${g.inChannels}->${g.outChannels}`;
  return {
    code: tiledWgsl2(gemm, s, splits, flavorOf(format, overflowFlag)),
    overflowFlag,
    // Starts with the kernel id (conv-registry.ts).
    label: `${s.id} ${gemm.op} ${loadsOf(gemm)} ${formatKey(format)} ${layer}`,
  };
}

function checkFormat(g: ConvGeometry, p: NumberFormat): NumberFormat {
  if (!tiledConv2Applies(g, p)) {
    throw new Error(
      `tiled conv v2: f32 arithmetic, with f16 storage only for even channels (got ${formatKey(p)}, ${g.inChannels}→${g.outChannels})`,
    );
  }
  return p;
}

/** The pipelines `op` runs for this layer (the filter gradient's split sum included). */
export function tiledConv2Shaders(
  op: ConvOp,
  g: ConvGeometry,
  format: NumberFormat,
  shape: TileShape,
): FlaggedShader[] {
  const p = checkFormat(g, format);
  const gemm = convGemm2(op, g);
  const { splits } = splitsOf(gemm, g, shape);
  const main = mainShader(gemm, g, shape, splits, p);
  return splits > 1 ? [main, sumShader(p, shape)] : [main];
}

function runTiled2(
  op: ConvOp,
  inputs: [tf.Tensor4D, tf.Tensor4D],
  g: ConvGeometry,
  format: NumberFormat,
  shape: TileShape,
  outShape: number[],
): tf.Tensor4D {
  const p = checkFormat(g, format);
  const gemm = convGemm2(op, g);
  const { splits, kChunk } = splitsOf(gemm, g, shape);
  const main = mainShader(gemm, g, shape, splits, p);
  const limits = backendDevice().limits;
  if (!tileShape2Fits(shape, limits)) {
    throw new Error(`tiled conv v2: ${shape.id} does not fit this device's workgroups`);
  }
  const zSlices = op === 'filterGrad' ? splits : gemm.slices;
  const limit = limits.maxComputeWorkgroupsPerDimension;
  const nTiles = Math.ceil(gemm.N / shape.tileN);
  const mTiles = Math.ceil(gemm.M / shape.tileM);
  const groupsY = Math.min(mTiles, limit);
  const groupsZ = zSlices * Math.ceil(mTiles / groupsY);
  if (nTiles > limit || groupsZ > limit) {
    throw new Error(`tiled conv v2: ${mTiles}×${nTiles} tiles × ${zSlices} exceed the limit`);
  }
  const program = { ...main, uniforms: [kChunk], grid: [nTiles, groupsY, groupsZ] as const };
  if (splits === 1) {
    const out = runProgram(program, inputs, outShape) as tf.Tensor4D;
    return gemm.output === 'activation' ? markOutput(out, p) : out;
  }
  const partial = runProgram(program, inputs, [splits, gemm.M * gemm.N]);
  const quarter = Math.ceil((gemm.M * gemm.N) / 4);
  const sum = {
    ...sumShader(p, shape),
    uniforms: [splits, gemm.M * gemm.N, quarter],
    grid: workgroupGrid(Math.ceil(quarter / SUM_WORKGROUP)),
  };
  const out = runProgram(sum, [partial], outShape);
  partial.dispose();
  return out as tf.Tensor4D;
}

function checkShapeOf(name: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new Error(`tiled conv v2: ${name} is [${got.join(', ')}], expected [${want.join(', ')}]`);
  }
}

/** The stored shape of y (and dy). */
const outputShape = (g: ConvGeometry, p: NumberFormat) =>
  storedShape([g.batch, g.outHeight, g.outWidth, g.outChannels], p);

/**
 * y = conv2d(x, w), symmetric zero padding `pad`; x [n, h, w, cin], w [kh, kw, cin, cout]
 * (f16 storage: x [n, h, w, cin/2], w [kh, kw, cin, cout/2] and y [n, oh, ow, cout/2]).
 */
export function conv2dTiled2(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  shape: TileShape,
  format: NumberFormat = F32,
): tf.Tensor4D {
  const g = convGeometry(logicalShape(x.shape, format), logicalShape(w.shape, format), stride, pad);
  return runTiled2('forward', [x, w], g, format, shape, outputShape(g, format));
}

/** dL/dx of conv2dTiled2 given dy = dL/dy [n, oh, ow, cout]; `xShape` is logical. */
export function conv2dInputGradTiled2(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  pad: number,
  shape: TileShape,
  format: NumberFormat = F32,
): tf.Tensor4D {
  const g = convGeometry(xShape, logicalShape(w.shape, format), stride, pad);
  checkShapeOf('dy', dy.shape, outputShape(g, format));
  return runTiled2('inputGrad', [dy, w], g, format, shape, storedShape([...xShape], format));
}

/** dL/dw of conv2dTiled2 given x and dy = dL/dy: always f32 [kh, kw, cin, cout] (`wShape`). */
export function conv2dFilterGradTiled2(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  wShape: [number, number, number, number],
  stride: number,
  pad: number,
  shape: TileShape,
  format: NumberFormat = F32,
): tf.Tensor4D {
  const g = convGeometry(logicalShape(x.shape, format), wShape, stride, pad);
  checkShapeOf('dy', dy.shape, outputShape(g, format));
  return runTiled2('filterGrad', [x, dy], g, format, shape, [...wShape]);
}
