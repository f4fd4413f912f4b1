/**
 * How an epoch cuts the training set into batches. Every image is trained once per epoch: full
 * batches, then one smaller batch with the remainder (PyTorch's DataLoader with drop_last=False).
 * Dropping the remainder instead would skip 18% of the default 5,000 images at batch 1024 each
 * epoch, which skews Table 4 against large batches. A remainder of one image joins the batch
 * before it instead: batch normalization has no variance over one image. Pure.
 */

/** Steps of one epoch: ⌈images / batch⌉, less one when the remainder is a single image. */
export function stepsPerEpoch(images: number, batch: number): number {
  if (!(images >= 1) || !(batch >= 1)) return 0;
  const steps = Math.ceil(images / batch);
  return steps > 1 && images % batch === 1 ? steps - 1 : steps;
}

/** The images [start, end) of step `i` (0-based) of an epoch, as positions in its order. */
export function stepRange(i: number, images: number, batch: number): [number, number] {
  const steps = stepsPerEpoch(images, batch);
  if (i < 0 || i >= steps) return [0, 0];
  const start = i * batch;
  return [start, i === steps - 1 ? images : start + batch];
}

/** Images in step `i` (0-based) of an epoch: `batch`, or what the last step holds. */
export function imagesInStep(i: number, images: number, batch: number): number {
  const [start, end] = stepRange(i, images, batch);
  return end - start;
}
