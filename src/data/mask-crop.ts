/**
 * The per-pixel labels of an augmented segmentation batch: each image's mask sampled at the
 * points where tf.image.cropAndResize samples its pixels (engine/preprocess.ts), so a random crop
 * or flip moves the labels with the image (and the page's previews show the frame the network saw). Labels are not interpolated: each output pixel takes
 * the label nearest to its sampling point, and a point outside the image (cropAndResize's
 * extrapolation, black) is background. Colour jitter and lighting leave masks alone.
 */

/**
 * masks: count × height × width labels; boxes: count × [y1, x1, y2, x2] in [0, 1] of the source
 * (x1 > x2 flips), as AugmentationBatch.boxes. Returns count × size × size labels, row-major.
 */
export function cropMasks(
  masks: Uint8Array,
  boxes: Float32Array,
  count: number,
  height: number,
  width: number,
  size: number,
): Int32Array {
  return Int32Array.from(cropNearest(masks, 1, boxes, count, height, width, size));
}

/**
 * cropMasks for `channels` values per pixel (an RGB image as the network sees its frame, for
 * previews): count × size × size × channels, nearest sampling, zeros outside the image.
 */
export function cropNearest(
  values: Uint8Array,
  channels: number,
  boxes: Float32Array,
  count: number,
  height: number,
  width: number,
  size: number,
): Uint8Array {
  const out = new Uint8Array(count * size * size * channels);
  // cropAndResize: in = b1·(n − 1) + i·(b2 − b1)·(n − 1)/(size − 1); one output pixel: the centre.
  const sourceOf = (b1: number, b2: number, n: number, i: number) =>
    size > 1 ? b1 * (n - 1) + (i * (b2 - b1) * (n - 1)) / (size - 1) : 0.5 * (b1 + b2) * (n - 1);
  for (let k = 0; k < count; k++) {
    const [y1, x1, y2, x2] = boxes.subarray(4 * k, 4 * k + 4);
    const image = k * height * width;
    for (let i = 0; i < size; i++) {
      const sy = sourceOf(y1!, y2!, height, i);
      const row = Math.round(sy);
      for (let j = 0; j < size; j++) {
        const sx = sourceOf(x1!, x2!, width, j);
        if (sy < 0 || sy > height - 1 || sx < 0 || sx > width - 1) continue;
        const from = (image + row * width + Math.round(sx)) * channels;
        const to = ((k * size + i) * size + j) * channels;
        for (let c = 0; c < channels; c++) out[to + c] = values[from + c]!;
      }
    }
  }
  return out;
}

/** The masks of `indices` of a split, concatenated (count × pixels). */
export function gatherMasks(
  masks: Uint8Array,
  indices: ArrayLike<number>,
  pixels: number,
): Uint8Array {
  const out = new Uint8Array(indices.length * pixels);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i]! * pixels;
    out.set(masks.subarray(start, start + pixels), i * pixels);
  }
  return out;
}
