/**
 * Tensor layouts: our engine stores conv weights HWIO ([k, k, in, out], tfjs) and the FC weight
 * [in, out]; PyTorch stores conv weights OIHW and the FC weight [out, in]. Images: ours NHWC,
 * PyTorch's NCHW.
 */

/** [h, w, i, o] → [o, i, h, w]. */
export function hwioToOihw(values: Float32Array, shape: readonly number[]): Float32Array {
  const [h, w, i, o] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < i; c++) {
        const from = ((y * w + x) * i + c) * o;
        for (let k = 0; k < o; k++) out[((k * i + c) * h + y) * w + x] = values[from + k]!;
      }
    }
  }
  return out;
}

/** [o, i, h, w] → [h, w, i, o]. */
export function oihwToHwio(values: Float32Array, shape: readonly number[]): Float32Array {
  const [o, i, h, w] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let k = 0; k < o; k++) {
    for (let c = 0; c < i; c++) {
      for (let y = 0; y < h; y++) {
        const from = ((k * i + c) * h + y) * w;
        for (let x = 0; x < w; x++) out[((y * w + x) * i + c) * o + k] = values[from + x]!;
      }
    }
  }
  return out;
}

/** A row-major [rows, cols] matrix → [cols, rows]. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  }
  return out;
}

/** [n, h, w, c] → [n, c, h, w]. */
export function nhwcToNchw(values: Float32Array, shape: readonly number[]): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((b * h + y) * w + x) * c;
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = values[from + k]!;
      }
    }
  }
  return out;
}
