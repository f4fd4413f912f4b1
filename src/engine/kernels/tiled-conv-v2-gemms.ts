import type { ConvOp } from '../../tuning-plan/plan';
import type { ConvGeometry } from './conv-geometry';

/**
 * The three convolution ops as implicit GEMMs C[M×N] = Σ_k A[m,k]·B[k,n] for the second
 * generation of tiled kernels (tiled-conv-v2.ts): how each operand element is found in the NHWC
 * activations and [kh, kw, cin, cout] weights, with the layer's geometry baked into the WGSL as
 * constants. Divisions and modulos by constants compile to multiply-shifts; the first generation
 * divided by uniforms (~20 instructions each) in every slice.
 *
 * The GEMM may have several z-slices, each its own GEMM of the same M and N: the input gradient's
 * stride phases (below); the filter gradient's split-K is handled by the template, not here.
 */

/**
 * One operand: A (outer index o = m) or B (o = n). An element's index splits into a row part of o
 * (computed once per kernel) and a column part of k (once per slice and load), so that the slice
 * loop does no more index math than it must.
 */
export interface GemmOperand {
  buffer: 'x' | 'w' | 'dy';
  /**
   * Along which index 4 consecutive elements are adjacent in memory (the channels allow vec4
   * loads): 'k' or 'outer'; null: scalar loads.
   */
  vec4: 'k' | 'outer' | null;
  /**
   * Body of `fn (o: u32, z: u32) -> vec4<i32>`: what the index needs of o in z-slice z; its w is 0
   * where the row or column does not exist (its elements are zeros).
   */
  rowPart: string;
  /** Body of `fn (k: u32, z: u32) -> vec4<i32>`: what the index needs of k (k < the slice's K). */
  colPart: string;
  /** Body of `fn (p: vec4<i32>, q: vec4<i32>) -> i32`: the element's index, −1 for a zero. */
  index: string;
}

export interface ConvGemm2 {
  op: ConvOp;
  /** The output is an activation or a filter gradient (f32 partials when split). */
  output: 'activation' | 'weights';
  M: number;
  N: number;
  /** The longest reduction of any z-slice (each slice's own is `kOf`). */
  K: number;
  /** z-slices: stride phases of the input gradient, else 1. */
  slices: number;
  /** WGSL expression (of `z: u32`): the reduction length of slice z, a u32. */
  kOf: string;
  /** Module-scope WGSL: the geometry constants and any tables. */
  prelude: string;
  a: GemmOperand;
  b: GemmOperand;
  /** Body of `fn (m: u32, z: u32) -> i32`: the output row of GEMM row m, −1 where none. */
  outRow: string;
}

const div4 = (c: number) => c % 4 === 0;

/** Geometry as WGSL constants (u32; PAD is i32: it only ever offsets signed coordinates). */
function geometryConstants(g: ConvGeometry): string {
  const u32 = {
    NB: g.batch,
    H: g.inHeight,
    W: g.inWidth,
    CI: g.inChannels,
    CO: g.outChannels,
    KH: g.kernelHeight,
    KW: g.kernelWidth,
    S: g.stride,
    OH: g.outHeight,
    OW: g.outWidth,
  };
  const lines = Object.entries(u32).map(([name, v]) => `const ${name}: u32 = ${v}u;`);
  return `${lines.join('\n')}\nconst PAD: i32 = ${g.pad};`;
}

/** x[n, ih, iw, ci] from p = (ih base, iw base, n·H·W·CI) and q = (kh, kw, ci) offsets. */
const X_INDEX = /* wgsl */ `
  let ih = p.x + q.x;
  let iw = p.y + q.y;
  if (ih < 0 || iw < 0 || ih >= i32(H) || iw >= i32(W)) { return -1; }
  return p.z + (ih * i32(W) + iw) * i32(CI) + q.z;`;

/** A row-major operand whose element is p.x + q.x. */
const PLAIN_INDEX = '\n  return p.x + q.x;';

/** Forward: m = (n, oh, ow), n = co, k = (kh, kw, ci); B = w[k·CO + n]. */
function forwardGemm(g: ConvGeometry): ConvGemm2 {
  const M = g.batch * g.outHeight * g.outWidth;
  const K = g.kernelHeight * g.kernelWidth * g.inChannels;
  return {
    op: 'forward',
    output: 'activation',
    M,
    N: g.outChannels,
    K,
    slices: 1,
    kOf: `${K}u`,
    prelude: geometryConstants(g),
    a: {
      buffer: 'x',
      vec4: div4(g.inChannels) ? 'k' : null,
      rowPart: /* wgsl */ `
  let r = o % (OH * OW);
  let n = o / (OH * OW);
  return vec4<i32>(i32((r / OW) * S) - PAD, i32((r % OW) * S) - PAD, i32(n * H * W * CI),
                   select(0, 1, o < ${M}u));`,
      colPart: /* wgsl */ `
  let tap = k / CI;
  return vec4<i32>(i32(tap / KW), i32(tap % KW), i32(k % CI), 0);`,
      index: X_INDEX,
    },
    b: {
      buffer: 'w',
      vec4: div4(g.outChannels) ? 'outer' : null,
      rowPart: `\n  return vec4<i32>(i32(o), 0, 0, select(0, 1, o < CO));`,
      colPart: `\n  return vec4<i32>(i32(k * CO), 0, 0, 0);`,
      index: PLAIN_INDEX,
    },
    outRow: `\n  return select(-1, i32(m), m < ${M}u);`,
  };
}

/** One stride phase of the input gradient: its first input row and column, and its kernel taps. */
interface Phase {
  ih0: number;
  iw0: number;
  /** (dh, dw, w offset of the tap) per tap: oh = jh + dh, ow = jw + dw. */
  taps: [number, number, number][];
}

/**
 * The stride phases (rh, rw) = ((ih + P) mod S, (iw + P) mod S): input pixels of a phase only
 * receive from the taps kh ≡ rh, kw ≡ rw (mod S), through oh = (ih + P − kh)/S exactly. Each phase
 * is a dense GEMM over its pixels ih = ih0 + jh·S, iw = iw0 + jw·S and its taps, so that no
 * multiply-add meets the zeros a strided transposed convolution inserts (3 taps in 4 at stride 2).
 */
function stridePhases(g: ConvGeometry): Phase[] {
  const s = g.stride;
  const phases: Phase[] = [];
  for (let rh = 0; rh < s; rh++) {
    for (let rw = 0; rw < s; rw++) {
      const ih0 = (((rh - g.pad) % s) + s) % s;
      const iw0 = (((rw - g.pad) % s) + s) % s;
      const taps: Phase['taps'] = [];
      for (let kh = rh; kh < g.kernelHeight; kh += s) {
        for (let kw = rw; kw < g.kernelWidth; kw += s) {
          const offset = (kh * g.kernelWidth + kw) * g.inChannels * g.outChannels;
          taps.push([(ih0 + g.pad - kh) / s, (iw0 + g.pad - kw) / s, offset]);
        }
      }
      phases.push({ ih0, iw0, taps });
    }
  }
  return phases;
}

/**
 * Input gradient, one z-slice per stride phase (one dispatch for all): m = (n, jh, jw) over
 * ⌈H/S⌉·⌈W/S⌉ pixels per image (with odd sizes some phases have a row or column fewer: those
 * rows are zeros and not stored), n = ci, k = (tap of the phase, co);
 * A = dy[n, jh + dh, jw + dw, co], B = w[kh, kw, ci, co].
 */
function inputGradGemm(g: ConvGeometry): ConvGemm2 {
  const phases = stridePhases(g);
  const maxTaps = Math.max(...phases.map((p) => p.taps.length));
  const hh = Math.ceil(g.inHeight / g.stride);
  const ww = Math.ceil(g.inWidth / g.stride);
  const M = g.batch * hh * ww;
  // Tap t of phase z at TAPS[z·MAX_TAPS + t]; entries beyond a phase's taps are never read.
  const taps = phases.flatMap((p) =>
    Array.from({ length: maxTaps }, (_, t) => p.taps[t] ?? [0, 0, 0]),
  );
  const tapTable = taps.map(([dh, dw, off]) => `vec4<i32>(${dh}, ${dw}, ${off}, 0)`).join(', ');
  const prelude = `${geometryConstants(g)}
const HH: u32 = ${hh}u;
const WW: u32 = ${ww}u;
const MAX_TAPS: u32 = ${maxTaps}u;
// Phase z = rh·S + rw: its first input row and column (the taps' count is kOf's arithmetic).
fn phaseIh0(z: u32) -> u32 { return (z / S + S - ${g.pad % g.stride}u) % S; }
fn phaseIw0(z: u32) -> u32 { return (z % S + S - ${g.pad % g.stride}u) % S; }
// A private variable, not a constant: run-time indices into a variable work in every compiler.
var<private> TAPS: array<vec4<i32>, ${taps.length}> = array<vec4<i32>, ${taps.length}>(${tapTable});

/** (n, jh, jw) of row m, and whether its pixel exists. */
fn phaseRow(m: u32, z: u32) -> vec4<u32> {
  let r = m % (HH * WW);
  let jh = r / WW;
  let jw = r % WW;
  let ih0 = phaseIh0(z);
  let iw0 = phaseIw0(z);
  let inside = m < ${M}u && ih0 + jh * S < H && iw0 + jw * S < W;
  return vec4<u32>(m / (HH * WW), jh, jw, select(0u, 1u, inside));
}

fn tapOf(k: u32, z: u32) -> vec4<i32> { return TAPS[z * MAX_TAPS + k / CO]; }`;
  return {
    op: 'inputGrad',
    output: 'activation',
    M,
    N: g.inChannels,
    K: maxTaps * g.outChannels,
    slices: phases.length,
    // Taps kh ≡ rh (mod S) of KH: ⌈(KH − rh)/S⌉; the count is uniform (a loop bound).
    kOf: '((KH + S - 1u - z / S) / S) * ((KW + S - 1u - z % S) / S) * CO',
    prelude,
    a: {
      buffer: 'dy',
      vec4: div4(g.outChannels) ? 'k' : null,
      // p = (jh, jw, n·OH·OW·CO), q = (dh, dw, co).
      rowPart: /* wgsl */ `
  let row = phaseRow(o, z);
  return vec4<i32>(i32(row.y), i32(row.z), i32(row.x * OH * OW * CO), i32(row.w));`,
      colPart: /* wgsl */ `
  let t = tapOf(k, z);
  return vec4<i32>(t.x, t.y, i32(k % CO), 0);`,
      index: /* wgsl */ `
  let oh = p.x + q.x;
  let ow = p.y + q.y;
  if (oh < 0 || ow < 0 || oh >= i32(OH) || ow >= i32(OW)) { return -1; }
  return p.z + (oh * i32(OW) + ow) * i32(CO) + q.z;`,
    },
    b: {
      buffer: 'w',
      vec4: div4(g.outChannels) ? 'k' : null,
      rowPart: `\n  return vec4<i32>(i32(o * CO), 0, 0, select(0, 1, o < CI));`,
      colPart: `\n  return vec4<i32>(tapOf(k, z).z + i32(k % CO), 0, 0, 0);`,
      index: PLAIN_INDEX,
    },
    outRow: /* wgsl */ `
  let row = phaseRow(m, z);
  if (row.w == 0u) { return -1; }
  return i32((row.x * H + phaseIh0(z) + row.y * S) * W + phaseIw0(z) + row.z * S);`,
  };
}

/** Filter gradient: m = (kh, kw, ci), n = co, k = (n, oh, ow); B = dy[k·CO + n]. */
function filterGradGemm(g: ConvGeometry): ConvGemm2 {
  const M = g.kernelHeight * g.kernelWidth * g.inChannels;
  const K = g.batch * g.outHeight * g.outWidth;
  return {
    op: 'filterGrad',
    output: 'weights',
    M,
    N: g.outChannels,
    K,
    slices: 1,
    kOf: `${K}u`,
    prelude: geometryConstants(g),
    a: {
      buffer: 'x',
      vec4: div4(g.inChannels) ? 'outer' : null,
      // p = (kh − P, kw − P, ci), q = (oh·S, ow·S, n·H·W·CI): X_INDEX with the roles swapped.
      rowPart: /* wgsl */ `
  let tap = o / CI;
  return vec4<i32>(i32(tap / KW) - PAD, i32(tap % KW) - PAD, i32(o % CI), select(0, 1, o < ${M}u));`,
      colPart: /* wgsl */ `
  let r = k % (OH * OW);
  return vec4<i32>(i32((r / OW) * S), i32((r % OW) * S), i32((k / (OH * OW)) * H * W * CI), 0);`,
      index: /* wgsl */ `
  let ih = p.x + q.x;
  let iw = p.y + q.y;
  if (ih < 0 || iw < 0 || ih >= i32(H) || iw >= i32(W)) { return -1; }
  return q.z + (ih * i32(W) + iw) * i32(CI) + p.z;`,
    },
    b: {
      buffer: 'dy',
      vec4: div4(g.outChannels) ? 'outer' : null,
      rowPart: `\n  return vec4<i32>(i32(o), 0, 0, select(0, 1, o < CO));`,
      colPart: `\n  return vec4<i32>(i32(k * CO), 0, 0, 0);`,
      index: PLAIN_INDEX,
    },
    outRow: `\n  return select(-1, i32(m), m < ${M}u);`,
  };
}

export function convGemm2(op: ConvOp, g: ConvGeometry): ConvGemm2 {
  if (op === 'forward') return forwardGemm(g);
  if (op === 'inputGrad') return inputGradGemm(g);
  return filterGradGemm(g);
}
