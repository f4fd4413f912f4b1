/** What a dataset will take in memory, estimated from file sizes and headers before decoding. */

export interface MemoryEstimate {
  images: number;
  /** Bytes the loaded dataset keeps: 8-bit pixels plus 32-bit labels. */
  keptBytes: number;
  /** Bytes needed at the worst moment of loading (source files and decoded pixels together). */
  peakBytes: number;
}

/**
 * The page refuses datasets whose loading would need more than this: a tab's worker reliably gets
 * about 2 GiB of ArrayBuffers in Chromium.
 */
export const DEFAULT_MEMORY_LIMIT = 2 * 1024 ** 3;

export function estimateImages(
  images: number,
  height: number,
  width: number,
  sourceBytes: number,
): MemoryEstimate {
  const keptBytes = images * (height * width * 3 + 4);
  return { images, keptBytes, peakBytes: keptBytes + sourceBytes };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function memoryProblem(estimate: MemoryEstimate, limit: number): string | null {
  if (estimate.peakBytes <= limit) return null;
  const kept =
    estimate.images > 0
      ? ` (${formatBytes(estimate.keptBytes)} for ${estimate.images.toLocaleString('en-US')} images once loaded)`
      : '';
  return (
    `the dataset needs about ${formatBytes(estimate.peakBytes)} of memory while loading${kept}, ` +
    `more than the ${formatBytes(limit)} limit. Use a subset of the files or a smaller input size.`
  );
}
