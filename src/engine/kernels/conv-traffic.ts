import type { ConvOp } from '../../tuning-plan/plan';
import type { ConvGeometry } from './conv-geometry';

/**
 * The global-memory traffic of one convolution op as each kernel issues it: every load and store
 * its loops make (the bounds checks followed exactly, caches ignored), in bytes. With the op's
 * flops and its measured time this places a kernel on the roofline: GB/s moved against the copy
 * peak, GFLOP/s against the FMA peak (src/engine/benchmark/peaks.ts). Pure.
 */

export interface OpTraffic {
  bytesRead: number;
  bytesWritten: number;
}

/** Bytes of one stored activation or weight element: f32, or half of a packed f16 word. */
export type ElementBytes = 4 | 2;

/** The implicit GEMM a tiled kernel computes for `op`: C[M×N] = Σ_k A[m,k]·B[k,n]. */
export function convGemmSize(op: ConvOp, g: ConvGeometry): { M: number; N: number; K: number } {
  const taps = g.kernelHeight * g.kernelWidth;
  if (op === 'forward') {
    return { M: g.batch * g.outHeight * g.outWidth, N: g.outChannels, K: taps * g.inChannels };
  }
  if (op === 'inputGrad') {
    return { M: g.batch * g.inHeight * g.inWidth, N: g.inChannels, K: taps * g.outChannels };
  }
  return { M: taps * g.inChannels, N: g.outChannels, K: g.batch * g.outHeight * g.outWidth };
}

/** How many of `count` positions i·stride + offset (i = 0…count−1) fall inside [0, size). */
function inside(count: number, stride: number, offset: number, size: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) {
    const at = i * stride + offset;
    if (at >= 0 && at < size) n++;
  }
  return n;
}

/** Σ over output rows oh of the kernel rows kh whose input row oh·S + kh − P exists. */
function validTapRows(g: ConvGeometry, along: 'h' | 'w'): number {
  const [outSize, inSize, taps] =
    along === 'h'
      ? [g.outHeight, g.inHeight, g.kernelHeight]
      : [g.outWidth, g.inWidth, g.kernelWidth];
  let total = 0;
  for (let o = 0; o < outSize; o++) total += inside(taps, 1, o * g.stride - g.pad, inSize);
  return total;
}

/**
 * The direct kernels (direct-conv.ts): `pixels` outputs along w per invocation, 4 channels per
 * vec4; `splits` is the filter gradient's split of its reduction (a second pass sums them).
 */
export function directConvTraffic(
  op: ConvOp,
  g: ConvGeometry,
  element: ElementBytes,
  pixels: number,
  splits = 1,
): OpTraffic {
  const vec4 = 4 * element;
  const ci4 = g.inChannels / 4;
  const co4 = g.outChannels / 4;
  const taps = g.kernelHeight * g.kernelWidth;
  if (op === 'forward') {
    const blocks = Math.ceil(g.outWidth / pixels);
    const window = (pixels - 1) * g.stride + g.kernelWidth;
    // Per (n, oh, block, co4) and valid kh, per ci4: the input window, then KW 4×4 weight blocks.
    let xLoads = 0;
    for (let b = 0; b < blocks; b++) {
      xLoads += inside(window, 1, b * pixels * g.stride - g.pad, g.inWidth);
    }
    const rows = g.batch * co4 * ci4 * validTapRows(g, 'h');
    return {
      bytesRead: rows * (xLoads + blocks * g.kernelWidth * 4) * vec4,
      bytesWritten: g.batch * g.outHeight * g.outWidth * co4 * vec4,
    };
  }
  if (op === 'inputGrad') {
    const blocks = Math.ceil(g.inWidth / pixels);
    // Kernel rows that reach input row ih: th = ih + P − kh on the stride grid, below OH·S.
    let validKh = 0;
    for (let ih = 0; ih < g.inHeight; ih++) {
      for (let kh = 0; kh < g.kernelHeight; kh++) {
        const th = ih + g.pad - kh;
        if (th >= 0 && th % g.stride === 0 && th / g.stride < g.outHeight) validKh++;
      }
    }
    // Every pixel of a block loads (only its store is bounded by W).
    let dyLoads = 0;
    for (let b = 0; b < blocks; b++) {
      for (let kw = 0; kw < g.kernelWidth; kw++) {
        for (let p = 0; p < pixels; p++) {
          const tw = b * pixels + p + g.pad - kw;
          if (tw >= 0 && tw % g.stride === 0 && tw / g.stride < g.outWidth) dyLoads++;
        }
      }
    }
    const rows = g.batch * ci4 * validKh;
    return {
      bytesRead: rows * co4 * (blocks * g.kernelWidth * 4 + dyLoads) * vec4,
      bytesWritten: g.batch * g.inHeight * g.inWidth * ci4 * vec4,
    };
  }
  // Filter gradient: one x and one dy vec4 per valid (row, tap) and 4×4 block; f32 partials.
  const validRows = g.batch * validTapRows(g, 'h') * validTapRows(g, 'w');
  const weights = taps * g.inChannels * g.outChannels * 4;
  const main = { read: ci4 * co4 * validRows * 2 * vec4, written: splits * weights };
  if (splits === 1) return { bytesRead: main.read, bytesWritten: main.written };
  return { bytesRead: main.read + splits * weights, bytesWritten: main.written + weights };
}

export interface TileTraffic {
  tileM: number;
  tileN: number;
  /** Split-K of the reduction (the filter gradient's); a sum pass then reads the partials. */
  splits: number;
  /**
   * The input gradient of a strided layer runs one GEMM per stride phase (tiled-conv-v2.ts):
   * ⌈H/S⌉·⌈W/S⌉ rows per image each, over that phase's taps only.
   */
  stridePhases?: boolean;
}

/**
 * A tiled implicit GEMM (tiled-conv.ts): each workgroup stages its tileM rows of A and tileN
 * columns of B for the whole K (its split's share), so A is read once per column of tiles and B
 * once per row of tiles; C is written once (split-K: f32 partials, then a sum pass). Elements in
 * the zero padding are not loaded: A counts only real input (forward, filter gradient) or real
 * dy (input gradient) elements.
 */
export function tiledConvTraffic(
  op: ConvOp,
  g: ConvGeometry,
  element: ElementBytes,
  tile: TileTraffic,
): OpTraffic {
  const { M, N, K } = convGemmSize(op, g);
  const columnsOfTiles = Math.ceil(N / tile.tileN);
  // Per stride phase, B holds that phase's taps only: over all phases, K × N once per row of
  // a phase's tiles.
  const phased = tile.stridePhases === true && op === 'inputGrad' && g.stride > 1;
  const phaseRows = g.batch * Math.ceil(g.inHeight / g.stride) * Math.ceil(g.inWidth / g.stride);
  const rowsOfTiles = Math.ceil((phased ? phaseRows : M) / tile.tileM);
  // A's elements outside the zero padding: x at (n, oh·S + kh − P, ow·S + kw − P, ci) for the
  // forward and filter gradient; for the input gradient dy at the (oh, kh) pairs that reach a
  // real input row, which are as many.
  const pairs = g.batch * validTapRows(g, 'h') * validTapRows(g, 'w');
  const a = pairs * (op === 'inputGrad' ? g.outChannels : g.inChannels);
  // B (weights, or dy for the filter gradient) has no padding.
  const b = K * N;
  const output = op === 'filterGrad' ? 4 : element;
  const read = (a * columnsOfTiles + b * rowsOfTiles) * element;
  if (tile.splits === 1) return { bytesRead: read, bytesWritten: M * N * output };
  return {
    bytesRead: read + tile.splits * M * N * 4,
    bytesWritten: tile.splits * M * N * 4 + M * N * output,
  };
}
