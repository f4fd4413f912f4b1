/**
 * How an epoch cuts the training set into batches. Every image is trained once per epoch: full
 * batches, then one smaller batch with the remainder (PyTorch's DataLoader with drop_last=False).
 * Dropping the remainder instead would skip 18% of the default 5,000 images at batch 1024 each
 * epoch, which skews Table 4 against large batches. Pure.
 */

/** Steps of one epoch: ⌈images / batch⌉. */
export function stepsPerEpoch(images: number, batch: number): number {
  if (!(images >= 1) || !(batch >= 1)) return 0;
  return Math.ceil(images / batch);
}

/** Images in step `i` (0-based) of an epoch: `batch`, or the remainder for the last step. */
export function imagesInStep(i: number, images: number, batch: number): number {
  return Math.max(0, Math.min(batch, images - i * batch));
}
