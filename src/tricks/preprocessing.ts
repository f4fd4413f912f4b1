import type { Rng } from './random';

/**
 * The baseline preprocessing of paper §2.1, as per-image parameters drawn on the CPU from the
 * run's seeded generator. The engine applies them on the GPU: a crop box (crop-and-resize, with
 * x1 > x2 meaning a horizontal flip), a 3×3 colour matrix (hue, saturation and brightness are all
 * linear maps of RGB) and an RGB offset (PCA lighting noise). Pixels are in [0, 255].
 */

export const NORMALIZE_MEAN = [123.68, 116.779, 103.939] as const;
export const NORMALIZE_STD = [58.393, 57.12, 57.375] as const;

/** AlexNet's eigen-decomposition of ImageNet RGB covariance (pixels in [0, 255]). */
export const PCA_EIGENVALUES = [55.46, 4.794, 1.148] as const;
export const PCA_EIGENVECTORS = [
  [-0.5675, 0.7192, 0.4009],
  [-0.5808, -0.0045, -0.814],
  [-0.5836, -0.6948, 0.4203],
] as const;

export const CROP_AREA_RANGE = [0.08, 1] as const;
export const CROP_ASPECT_RANGE = [3 / 4, 4 / 3] as const;
export const JITTER_RANGE = [0.6, 1.4] as const;
export const PCA_NOISE_STD = 0.1;
export const FLIP_PROBABILITY = 0.5;
/** Validation resizes the shorter side to input × 256/224, then crops the centre. */
export const VALIDATION_RESIZE_RATIO = 256 / 224;

/** Luma weights (ITU-R BT.601) used to desaturate. */
const GRAY = [0.299, 0.587, 0.114] as const;

/** Normalized box [y1, x1, y2, x2] in [0, 1]. */
export type CropBox = [number, number, number, number];
export type Matrix3 = [number, number, number, number, number, number, number, number, number];

export interface AugmentationParams {
  box: CropBox;
  flip: boolean;
  /** Row-major: out_c = Σ_j M[c][j]·in_j. */
  colorMatrix: Matrix3;
  lightingOffset: [number, number, number];
  /** The drawn factors, for tests and display. */
  hue: number;
  saturation: number;
  brightness: number;
  lightingAlpha: [number, number, number];
}

const IDENTITY: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function multiply3(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0) as Matrix3;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += a[r * 3 + k]! * b[k * 3 + c]!;
      out[r * 3 + c] = sum;
    }
  return out;
}

export function brightnessMatrix(factor: number): Matrix3 {
  return [factor, 0, 0, 0, factor, 0, 0, 0, factor];
}

/** out = s·x + (1 − s)·gray(x) on every channel. */
export function saturationMatrix(factor: number): Matrix3 {
  const m = [...IDENTITY] as Matrix3;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) m[r * 3 + c] = factor * (r === c ? 1 : 0) + (1 - factor) * GRAY[c]!;
  return m;
}

const RGB_TO_YIQ: Matrix3 = [0.299, 0.587, 0.114, 0.596, -0.274, -0.321, 0.211, -0.523, 0.311];
const YIQ_TO_RGB: Matrix3 = [1, 0.956, 0.621, 1, -0.272, -0.647, 1, -1.107, 1.705];

/**
 * Hue scaled by `factor`: a rotation of the chroma plane in YIQ space by (factor − 1)·π, so
 * factor 1 is the identity, as in GluonCV's HueJitterAug with hue = 0.4.
 */
export function hueMatrix(factor: number): Matrix3 {
  const angle = (factor - 1) * Math.PI;
  const u = Math.cos(angle);
  const w = Math.sin(angle);
  const rotation: Matrix3 = [1, 0, 0, 0, u, -w, 0, w, u];
  return multiply3(YIQ_TO_RGB, multiply3(rotation, RGB_TO_YIQ));
}

export function lightingOffset(alpha: readonly number[]): [number, number, number] {
  const row = (c: number) =>
    PCA_EIGENVECTORS[c]!.reduce((sum, v, k) => sum + v * alpha[k]! * PCA_EIGENVALUES[k]!, 0);
  return [row(0), row(1), row(2)];
}

/**
 * Random-resized-crop (Inception style, as GluonCV and torchvision): up to 10 tries of an area
 * fraction U[8%, 100%] and a log-uniform aspect ratio in [3/4, 4/3]; else the whole image.
 */
export function sampleCropBox(rng: Rng, height: number, width: number): CropBox {
  const area = height * width;
  const [logLow, logHigh] = [Math.log(CROP_ASPECT_RANGE[0]), Math.log(CROP_ASPECT_RANGE[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(CROP_AREA_RANGE[0], CROP_AREA_RANGE[1]);
    const aspect = Math.exp(rng.uniform(logLow, logHigh));
    const w = Math.sqrt(target * aspect);
    const h = Math.sqrt(target / aspect);
    if (w <= width && h <= height) {
      const x = rng.uniform(0, width - w);
      const y = rng.uniform(0, height - h);
      return [y / height, x / width, (y + h) / height, (x + w) / width];
    }
  }
  return [0, 0, 1, 1];
}

/** The steps of the §2.1 training pipeline, each on or off (normalization is always applied). */
export interface PreprocessingSwitches {
  /** Random-resized-crop; off = the validation box (shorter side × 256/224, centre crop). */
  crop: boolean;
  flip: boolean;
  /** Hue, saturation and brightness jitter. */
  jitter: boolean;
  /** PCA lighting noise. */
  pca: boolean;
}

export const NO_AUGMENTATION: PreprocessingSwitches = {
  crop: false,
  flip: false,
  jitter: false,
  pca: false,
};

export function preprocessingSwitches(
  config: Pick<PreprocessingSwitches, 'crop' | 'flip' | 'jitter' | 'pca'>,
): PreprocessingSwitches {
  return { crop: config.crop, flip: config.flip, jitter: config.jitter, pca: config.pca };
}

export function sampleAugmentation(rng: Rng, height: number, width: number): AugmentationParams {
  const box = sampleCropBox(rng, height, width);
  const flip = rng.next() < FLIP_PROBABILITY;
  const brightness = rng.uniform(JITTER_RANGE[0], JITTER_RANGE[1]);
  const saturation = rng.uniform(JITTER_RANGE[0], JITTER_RANGE[1]);
  const hue = rng.uniform(JITTER_RANGE[0], JITTER_RANGE[1]);
  const colorMatrix = multiply3(
    hueMatrix(hue),
    multiply3(saturationMatrix(saturation), brightnessMatrix(brightness)),
  );
  const lightingAlpha: [number, number, number] = [
    rng.normal(0, PCA_NOISE_STD),
    rng.normal(0, PCA_NOISE_STD),
    rng.normal(0, PCA_NOISE_STD),
  ];
  return {
    box: flip ? [box[0], box[3], box[2], box[1]] : box,
    flip,
    colorMatrix,
    lightingOffset: lightingOffset(lightingAlpha),
    hue,
    saturation,
    brightness,
    lightingAlpha,
  };
}

/** Validation: resize the shorter side to input·256/224 and crop the centre input × input. */
export function validationBox(height: number, width: number): CropBox {
  const shorter = Math.min(height, width);
  const side = shorter / VALIDATION_RESIZE_RATIO;
  const h = side / height;
  const w = side / width;
  return [(1 - h) / 2, (1 - w) / 2, (1 + h) / 2, (1 + w) / 2];
}

/** Flat arrays of a batch, ready to upload: boxes [n, 4], matrices [n, 3, 3], offsets [n, 3]. */
export interface AugmentationBatch {
  boxes: Float32Array;
  colorMatrices: Float32Array;
  lightingOffsets: Float32Array;
}

function flipBox(box: CropBox): CropBox {
  return [box[0], box[3], box[2], box[1]];
}

/**
 * Per-image parameters of a batch. Every random quantity is drawn whatever the switches, so that
 * turning one step off leaves the draws of the others unchanged (same crops with or without
 * jitter); a step that is off contributes its identity.
 */
export function sampleAugmentationBatch(
  rng: Rng,
  count: number,
  height: number,
  width: number,
  switches: PreprocessingSwitches,
): AugmentationBatch {
  const boxes = new Float32Array(count * 4);
  const colorMatrices = new Float32Array(count * 9);
  const lightingOffsets = new Float32Array(count * 3);
  const anyRandom = switches.crop || switches.flip || switches.jitter || switches.pca;
  const centre = validationBox(height, width);
  for (let i = 0; i < count; i++) {
    if (!anyRandom) {
      boxes.set(centre, i * 4);
      colorMatrices.set(IDENTITY, i * 9);
      continue;
    }
    const p = sampleAugmentation(rng, height, width);
    // p.box is already mirrored when p.flip; rebuild it from the switches.
    const drawn = p.flip ? flipBox(p.box) : p.box;
    const box = switches.crop ? drawn : centre;
    boxes.set(switches.flip && p.flip ? flipBox(box) : box, i * 4);
    colorMatrices.set(switches.jitter ? p.colorMatrix : IDENTITY, i * 9);
    if (switches.pca) lightingOffsets.set(p.lightingOffset, i * 3);
  }
  return { boxes, colorMatrices, lightingOffsets };
}
