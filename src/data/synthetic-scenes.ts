import { createRng, type Rng } from '../tricks/random';
import type { ImageDataset, ImageSplit } from './dataset';
import { SHAPE_LIST, SYNTHETIC_CLASSES, SYNTHETIC_SIZE } from './synthetic';

/**
 * Segmentation scenes for the synthetic dataset (the paper's §6.2 in miniature): each image holds
 * 1–4 shapes of the classification generator's 10 classes, drawn with the same SDFs, later shapes
 * painted over earlier ones. The label map gives each pixel 0 (background) or 1 + the class index
 * of the topmost shape whose SDF is negative at the pixel centre. Generated from the seed alone,
 * train and validation from separate streams.
 */

export const SEGMENTATION_CLASSES = ['background', ...SYNTHETIC_CLASSES] as const;

export const MAX_SHAPES_PER_SCENE = 4;

export interface SceneShape {
  /** Index into SYNTHETIC_CLASSES; the mask label is classIndex + 1. */
  classIndex: number;
  /** Centre in pixels; pixel (x, y) covers [x, x + 1) × [y, y + 1). */
  cx: number;
  cy: number;
  /** The `r` passed to the class's SDF. */
  radius: number;
  /** Radians; the shape's frame is the image frame rotated by this angle. */
  angle: number;
  /** RGB, 0–255. */
  color: [number, number, number];
}

export interface SegmentationSplit {
  /** count × height × width × 3 bytes, as ImageSplit.images. */
  images: Uint8Array;
  /** count × height × width labels in [0, SEGMENTATION_CLASSES.length). */
  masks: Uint8Array;
  /** Each scene's shapes, bottom first. */
  shapes: SceneShape[][];
  count: number;
}

export interface SegmentationDataset {
  name: string;
  classNames: string[];
  height: number;
  width: number;
  train: SegmentationSplit;
  val: SegmentationSplit;
}

/** Signed distance from the image point (px, py) to `shape`; < 0 inside. */
export function shapeSdfAt(shape: SceneShape, px: number, py: number): number {
  const dx = px - shape.cx;
  const dy = py - shape.cy;
  const cos = Math.cos(shape.angle);
  const sin = Math.sin(shape.angle);
  // Same frame as drawSyntheticImage, so a shape here looks like its class there.
  return SHAPE_LIST[shape.classIndex]!(cos * dx + sin * dy, -sin * dx + cos * dy, shape.radius);
}

/** The label of pixel (x, y): the topmost shape with SDF < 0 at the pixel centre, else 0. */
export function maskAt(shapes: readonly SceneShape[], x: number, y: number): number {
  for (let i = shapes.length - 1; i >= 0; i--) {
    const shape = shapes[i]!;
    if (shapeSdfAt(shape, x + 0.5, y + 0.5) < 0) return shape.classIndex + 1;
  }
  return 0;
}

/** The size × size label map of `shapes`, row-major. */
export function labelMapOf(shapes: readonly SceneShape[], size: number): Uint8Array {
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) mask[y * size + x] = maskAt(shapes, x, y);
  }
  return mask;
}

function randomColor(rng: Rng): [number, number, number] {
  return [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
}

function colorDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

function drawScene(rng: Rng, size: number, image: Uint8Array, mask: Uint8Array): SceneShape[] {
  const scale = size / SYNTHETIC_SIZE;
  const background = randomColor(rng);
  const gradient = [rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)];
  const gradientAngle = rng.uniform(0, 2 * Math.PI);
  const [gx, gy] = [Math.cos(gradientAngle), Math.sin(gradientAngle)];
  const count = 1 + rng.int(MAX_SHAPES_PER_SCENE);
  const shapes: SceneShape[] = [];
  for (let i = 0; i < count; i++) {
    // Smaller than the classification shapes (7–11 px at 32) so several fit one image.
    const radius = rng.uniform(4.5, 8.5) * scale;
    let color = randomColor(rng);
    for (let tries = 0; tries < 8 && colorDistance(color, background) < 120; tries++) {
      color = randomColor(rng);
    }
    shapes.push({
      classIndex: rng.int(SYNTHETIC_CLASSES.length),
      cx: rng.uniform(radius * 0.5, size - radius * 0.5),
      cy: rng.uniform(radius * 0.5, size - radius * 0.5),
      radius,
      // The classification range: wider rotations would turn squares into diamonds, plus into cross.
      angle: rng.uniform(-0.3, 0.3),
      color,
    });
  }
  const noise = rng.uniform(2, 8);

  const value = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const g = (x - size / 2) * gx + (y - size / 2) * gy;
      for (let c = 0; c < 3; c++) value[c] = background[c]! + gradient[c]! * g;
      let label = 0;
      for (const shape of shapes) {
        const d = shapeSdfAt(shape, x + 0.5, y + 0.5);
        // Anti-aliased paint; the label takes the hard edge (d < 0) at the pixel centre.
        const coverage = Math.min(Math.max(0.5 - d, 0), 1);
        for (let c = 0; c < 3; c++) value[c]! += (shape.color[c]! - value[c]!) * coverage;
        if (d < 0) label = shape.classIndex + 1;
      }
      const offset = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        image[offset + c] = Math.min(
          255,
          Math.max(0, Math.round(value[c]! + rng.normal(0, noise))),
        );
      }
      mask[y * size + x] = label;
    }
  }
  return shapes;
}

function generateSplit(rng: Rng, count: number, size: number): SegmentationSplit {
  const pixels = size * size;
  const images = new Uint8Array(count * pixels * 3);
  const masks = new Uint8Array(count * pixels);
  const shapes: SceneShape[][] = [];
  for (let i = 0; i < count; i++) {
    shapes.push(
      drawScene(
        rng,
        size,
        images.subarray(i * pixels * 3, (i + 1) * pixels * 3),
        masks.subarray(i * pixels, (i + 1) * pixels),
      ),
    );
  }
  return { images, masks, shapes, count };
}

/** Distinct from the classification streams, so a seed's scenes are not its class images. */
const TRAIN_STREAM = 0x73656774;
const VAL_STREAM = 0x7365673f;

export interface SegmentationSceneOptions {
  seed: number;
  trainSize: number;
  valSize: number;
  /** Image side in pixels; shape sizes scale with it. Default SYNTHETIC_SIZE (32). */
  size?: number;
}

export function generateSegmentationScenes({
  seed,
  trainSize,
  valSize,
  size = SYNTHETIC_SIZE,
}: SegmentationSceneOptions): SegmentationDataset {
  if (!Number.isInteger(size) || size < 8) {
    throw new RangeError(`scene size must be an integer ≥ 8, got ${size}`);
  }
  return {
    name: 'synthetic-scenes',
    classNames: [...SEGMENTATION_CLASSES],
    height: size,
    width: size,
    train: generateSplit(createRng((seed ^ TRAIN_STREAM) >>> 0), trainSize, size),
    val: generateSplit(createRng((seed ^ VAL_STREAM) >>> 0), valSize, size),
  };
}

/** The label covering most of a mask other than background (0 when there is none; ties: lower). */
export function largestObjectLabel(mask: Uint8Array, classes: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (const label of mask) counts[label]!++;
  let best = 0;
  for (let k = 1; k < classes; k++) if (counts[k]! > (best === 0 ? 0 : counts[best]!)) best = k;
  return best;
}

function imageSplitOf(split: SegmentationSplit, pixels: number): ImageSplit {
  const labels = Int32Array.from({ length: split.count }, (_, i) =>
    largestObjectLabel(
      split.masks.subarray(i * pixels, (i + 1) * pixels),
      SEGMENTATION_CLASSES.length,
    ),
  );
  return { images: split.images, labels, masks: split.masks, count: split.count };
}

/**
 * The scenes as the trainer's dataset: images with their masks, each labelled by its largest
 * object. Named 'synthetic-scenes'.
 */
export function sceneDataset(options: SegmentationSceneOptions): ImageDataset {
  const scenes = generateSegmentationScenes(options);
  const pixels = scenes.height * scenes.width;
  return {
    name: scenes.name,
    classNames: scenes.classNames,
    height: scenes.height,
    width: scenes.width,
    train: imageSplitOf(scenes.train, pixels),
    val: imageSplitOf(scenes.val, pixels),
  };
}
