/**
 * How the coalesced BatchNorm kernels (bn-reduce-wgsl.ts) tile a [rows, cols] activation: every
 * workgroup has BN_THREADS invocations arranged as `width` consecutive columns × `lanes` rows, so
 * that consecutive invocations read consecutive words of a row (coalesced), and covers one block
 * of `width` columns and a block of rows. Two grids share the tiling:
 *
 * - the reduction grid (colBlocks × partialBlocks): each workgroup reduces `blockRows` rows of
 *   its columns to one partial per column, so that even 16 channels fill a GPU with workgroups;
 * - the apply grid (colBlocks × applyBlocks): each workgroup first sums the partials of its
 *   columns (partialBlocks / lanes loads per invocation, from a buffer small enough to stay in
 *   cache), then normalizes `applyRows` rows of them.
 *
 * The partial count trades the reduction's parallelism against what every apply workgroup
 * re-reads: at most PARTIALS_PER_LANE per invocation and quantity, against APPLY_ROWS_PER_LANE
 * elements it processes.
 */

export const BN_THREADS = 256;
/** The widest column block: 64 consecutive f32 words are 256 bytes, a few memory transactions. */
const MAX_WIDTH = 64;
/** Rows each invocation of the reduction reads at least (fewer: too little work per workgroup). */
const REDUCE_ROWS_PER_LANE = 16;
/** Partials each invocation of an apply workgroup sums at most, per quantity. */
const PARTIALS_PER_LANE = 8;
/** Rows each invocation of an apply workgroup normalizes. */
const APPLY_ROWS_PER_LANE = 16;

export interface BnGeometry {
  rows: number;
  /** Length of the last axis: channels (f32) or words (packed). */
  cols: number;
  /** Columns per workgroup: a power of two, at most 64. */
  width: number;
  /** Rows a workgroup reads at once: BN_THREADS / width. */
  lanes: number;
  colBlocks: number;
  /** Row blocks of the reduction: partials per column. */
  partialBlocks: number;
  blockRows: number;
  applyBlocks: number;
  applyRows: number;
}

const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * The tiling of a [rows, cols] BN. `reduceRowsPerLane` (tests) overrides the least number of
 * rows an invocation of the reduction reads, to get many row blocks out of small inputs.
 */
export function bnGeometry(
  rows: number,
  cols: number,
  reduceRowsPerLane = REDUCE_ROWS_PER_LANE,
): BnGeometry {
  if (rows < 1 || cols < 1) throw new Error(`BN geometry: empty [${rows}, ${cols}]`);
  const width = Math.min(MAX_WIDTH, nextPowerOfTwo(cols));
  const lanes = BN_THREADS / width;
  const wanted = Math.ceil(rows / (lanes * reduceRowsPerLane));
  const blocks = Math.max(1, Math.min(wanted, PARTIALS_PER_LANE * lanes));
  const blockRows = Math.ceil(rows / blocks);
  const applyRows = lanes * APPLY_ROWS_PER_LANE;
  return {
    rows,
    cols,
    width,
    lanes,
    colBlocks: Math.ceil(cols / width),
    // Recounted: the rounded-up block size may leave the last blocks empty.
    partialBlocks: Math.ceil(rows / blockRows),
    blockRows,
    applyBlocks: Math.ceil(rows / applyRows),
    applyRows,
  };
}
