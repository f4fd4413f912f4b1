import { createRng, type Rng } from '../tricks/random';
import type { ImageDataset, ImageSplit } from './dataset';

/**
 * The built-in dataset: 10 classes of anti-aliased shapes drawn at 32×32 with random position,
 * size, rotation, colours, a background gradient, a distractor stroke and pixel noise. The class
 * is the shape alone, so colour is no shortcut; crops and flips matter. Generated from the seed
 * alone (no download), with train and validation drawn from separate streams so the split is fixed.
 */

export const SYNTHETIC_SIZE = 32;

export const SYNTHETIC_CLASSES = [
  'circle',
  'square',
  'triangle',
  'plus',
  'ring',
  'diamond',
  'bars',
  'cross',
  'crescent',
  'dots',
] as const;

/** Signed distance (pixels, < 0 inside) at (x, y) in the shape's frame, for size `r`. */
export type Sdf = (x: number, y: number, r: number) => number;

function box(x: number, y: number, hx: number, hy: number): number {
  const dx = Math.abs(x) - hx;
  const dy = Math.abs(y) - hy;
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
}

function plus(x: number, y: number, r: number): number {
  return Math.min(box(x, y, r, r * 0.3), box(x, y, r * 0.3, r));
}

const SHAPES: Record<(typeof SYNTHETIC_CLASSES)[number], Sdf> = {
  circle: (x, y, r) => Math.hypot(x, y) - r,
  square: (x, y, r) => box(x, y, r * 0.8, r * 0.8),
  triangle: (x, y, r) => {
    // Equilateral triangle pointing up, circumradius ≈ r.
    const k = Math.sqrt(3);
    let px = Math.abs(x) - r * 0.85;
    let py = -y + (r * 0.85) / k;
    if (px + k * py > 0) [px, py] = [(px - k * py) / 2, (-k * px - py) / 2];
    px -= Math.min(Math.max(px, -1.7 * r), 0);
    return -Math.hypot(px, py) * Math.sign(py);
  },
  plus,
  ring: (x, y, r) => Math.abs(Math.hypot(x, y) - r * 0.72) - r * 0.22,
  diamond: (x, y, r) => (Math.abs(x) + Math.abs(y) - r) * Math.SQRT1_2,
  bars: (x, y, r) =>
    Math.min(
      box(x, y + r * 0.62, r, r * 0.17),
      box(x, y, r, r * 0.17),
      box(x, y - r * 0.62, r, r * 0.17),
    ),
  cross: (x, y, r) => plus((x - y) * Math.SQRT1_2, (x + y) * Math.SQRT1_2, r),
  crescent: (x, y, r) => Math.max(Math.hypot(x, y) - r, -(Math.hypot(x - r * 0.55, y) - r * 0.8)),
  dots: (x, y, r) => Math.min(Math.hypot(x - r * 0.55, y), Math.hypot(x + r * 0.55, y)) - r * 0.38,
};

/** The SDFs in class order; the segmentation scenes draw with the same ones. */
export const SHAPE_LIST: readonly Sdf[] = SYNTHETIC_CLASSES.map((name) => SHAPES[name]);

function randomColor(rng: Rng): [number, number, number] {
  return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
}

function colorDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

/** Draws one image of class `label` into `out` (32×32×3 bytes). */
export function drawSyntheticImage(rng: Rng, label: number, out: Uint8Array): void {
  const size = SYNTHETIC_SIZE;
  const sdf = SHAPE_LIST[label]!;
  const radius = rng.uniform(7, 11);
  const cx = rng.uniform(radius + 1, size - radius - 1);
  const cy = rng.uniform(radius + 1, size - radius - 1);
  const angle = rng.uniform(-0.3, 0.3);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const background = randomColor(rng);
  const gradient = [rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)];
  const gradientAngle = rng.uniform(0, 2 * Math.PI);
  const [gx, gy] = [Math.cos(gradientAngle), Math.sin(gradientAngle)];
  let foreground = randomColor(rng);
  // Keep enough contrast that the shape is visible, but let it be faint sometimes.
  for (let tries = 0; tries < 8 && colorDistance(foreground, background) < 120; tries++) {
    foreground = randomColor(rng);
  }
  const stroke = randomColor(rng);
  const sx = rng.uniform(0, size);
  const sy = rng.uniform(0, size);
  const strokeAngle = rng.uniform(0, Math.PI);
  const [nx, ny] = [-Math.sin(strokeAngle), Math.cos(strokeAngle)];
  const noise = rng.uniform(2, 10);

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const lx = cos * dx + sin * dy;
      const ly = -sin * dx + cos * dy;
      const coverage = Math.min(Math.max(0.5 - sdf(lx, ly, radius), 0), 1);
      const strokeDistance = Math.abs((x + 0.5 - sx) * nx + (y + 0.5 - sy) * ny);
      const strokeCoverage = Math.min(Math.max(1 - strokeDistance, 0), 1) * 0.4;
      const offset = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const bg = background[c]! + gradient[c]! * ((x - size / 2) * gx + (y - size / 2) * gy);
        let v = bg + (stroke[c]! - bg) * strokeCoverage;
        v += (foreground[c]! - v) * coverage;
        v += rng.normal(0, noise);
        out[offset + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
}

function generateSplit(rng: Rng, count: number): ImageSplit {
  const pixels = SYNTHETIC_SIZE * SYNTHETIC_SIZE * 3;
  const images = new Uint8Array(count * pixels);
  const labels = new Int32Array(count);
  const classes = SYNTHETIC_CLASSES.length;
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    drawSyntheticImage(rng, label, images.subarray(i * pixels, (i + 1) * pixels));
  }
  return { images, labels, count };
}

/** Stream constants that separate the train and validation draws of one seed. */
const TRAIN_STREAM = 0x7261696e;
const VAL_STREAM = 0x76616c21;

export interface SyntheticOptions {
  seed: number;
  trainSize: number;
  valSize: number;
}

export function generateSyntheticDataset({
  seed,
  trainSize,
  valSize,
}: SyntheticOptions): ImageDataset {
  return {
    name: 'synthetic',
    classNames: [...SYNTHETIC_CLASSES],
    height: SYNTHETIC_SIZE,
    width: SYNTHETIC_SIZE,
    train: generateSplit(createRng((seed ^ TRAIN_STREAM) >>> 0), trainSize),
    val: generateSplit(createRng((seed ^ VAL_STREAM) >>> 0), valSize),
  };
}
