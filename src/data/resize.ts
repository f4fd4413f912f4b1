/**
 * Resizes RGB pixels so the shorter side becomes `side`, keeping the centre square (the layout
 * the validation transform of §2.1 expects). Downscaling averages the covered area (no aliasing);
 * upscaling interpolates linearly.
 */

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

function taps(sourceLength: number, offset: number, span: number, outLength: number): Taps {
  const scale = span / outLength;
  const maxTaps = Math.ceil(Math.max(scale, 1)) + 2;
  const start = new Int32Array(outLength);
  const count = new Int32Array(outLength);
  const weights = new Float32Array(outLength * maxTaps);
  for (let o = 0; o < outLength; o++) {
    const lo = offset + o * scale;
    const hi = lo + scale;
    let first: number;
    const w: number[] = [];
    if (scale >= 1) {
      first = Math.floor(lo);
      for (let s = first; s < hi; s++) w.push(Math.min(hi, s + 1) - Math.max(lo, s));
    } else {
      const centre = (lo + hi) / 2 - 0.5;
      first = Math.floor(centre);
      const t = centre - first;
      w.push(1 - t, t);
    }
    // Clamp taps that fall outside the source onto its edge.
    let total = 0;
    for (let k = 0; k < w.length; k++) total += w[k]!;
    const clampedStart = Math.min(Math.max(first, 0), sourceLength - 1);
    start[o] = clampedStart;
    const merged = new Float64Array(maxTaps);
    for (let k = 0; k < w.length; k++) {
      const s = Math.min(Math.max(first + k, 0), sourceLength - 1);
      merged[s - clampedStart] = (merged[s - clampedStart] ?? 0) + w[k]! / total;
    }
    let n = 0;
    for (let k = 0; k < maxTaps; k++) if (merged[k]! > 0) n = k + 1;
    count[o] = Math.max(1, n);
    for (let k = 0; k < n; k++) weights[o * maxTaps + k] = merged[k]!;
    if (n === 0) weights[o * maxTaps] = 1;
  }
  return { start, count, weights, maxTaps };
}

export function resizeShorterSideCenterCrop(
  pixels: Uint8Array,
  width: number,
  height: number,
  side: number,
): Uint8Array {
  const crop = Math.min(width, height);
  const x0 = (width - crop) / 2;
  const y0 = (height - crop) / 2;
  const tx = taps(width, x0, crop, side);
  const ty = taps(height, y0, crop, side);
  // Horizontal pass over every source row, then vertical.
  const rows = new Float32Array(height * side * 3);
  for (let y = 0; y < height; y++) {
    for (let o = 0; o < side; o++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < tx.count[o]!; k++) {
        const w = tx.weights[o * tx.maxTaps + k]!;
        const s = (y * width + tx.start[o]! + k) * 3;
        r += w * pixels[s]!;
        g += w * pixels[s + 1]!;
        b += w * pixels[s + 2]!;
      }
      const d = (y * side + o) * 3;
      rows[d] = r;
      rows[d + 1] = g;
      rows[d + 2] = b;
    }
  }
  const out = new Uint8Array(side * side * 3);
  for (let o = 0; o < side; o++) {
    for (let x = 0; x < side; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < ty.count[o]!; k++) {
        const w = ty.weights[o * ty.maxTaps + k]!;
        const s = ((ty.start[o]! + k) * side + x) * 3;
        r += w * rows[s]!;
        g += w * rows[s + 1]!;
        b += w * rows[s + 2]!;
      }
      const d = (o * side + x) * 3;
      out[d] = Math.round(r);
      out[d + 1] = Math.round(g);
      out[d + 2] = Math.round(b);
    }
  }
  return out;
}

/** The stored side of images that are resized on loading: input × 256/224, as validation needs. */
export function storedSideFor(input: number): number {
  return Math.round((input * 256) / 224);
}
