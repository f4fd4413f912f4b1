import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../data/dataset';
import { colorAndNormalize } from './kernels/color-normalize';
import {
  NORMALIZE_MEAN,
  NORMALIZE_STD,
  sampleAugmentationBatch,
  createRng,
  NO_AUGMENTATION,
  type AugmentationBatch,
} from '../tricks';

/**
 * GPU preprocessing of a batch (paper §2.1): crop-and-resize (boxes with x1 > x2 flip), a colour
 * matrix and a lighting offset per image, clip to [0, 255], normalize. The random parameters are
 * drawn on the CPU (src/tricks/preprocessing.ts); this only applies them.
 */

/** Copies the images of `indices` into one float32 NHWC array, ready to upload. */
export function gatherImages(
  split: ImageSplit,
  indices: ArrayLike<number>,
  imageSize: number,
): Float32Array {
  const out = new Float32Array(indices.length * imageSize);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i]! * imageSize;
    const source = split.images.subarray(start, start + imageSize);
    out.set(source, i * imageSize);
  }
  return out;
}

export function gatherLabels(split: ImageSplit, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = split.labels[indices[i]!]!;
  return out;
}

/** The validation transform for `count` images: centre box, identity colour, no offset. */
export function validationAugmentation(
  count: number,
  height: number,
  width: number,
): AugmentationBatch {
  // The validation branch draws nothing from the generator.
  return sampleAugmentationBatch(createRng(0), count, height, width, NO_AUGMENTATION);
}

function isIdentityColor(aug: AugmentationBatch): boolean {
  const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let i = 0; i < aug.colorMatrices.length; i++) {
    if (aug.colorMatrices[i] !== identity[i % 9]) return false;
  }
  return aug.lightingOffsets.every((v) => v === 0);
}

/**
 * pixels: [count, height, width, 3] in [0, 255]. Returns normalized [count, size, size, 3]
 * (or the augmented pixels in [0, 255] when `normalize` is false, for the preview).
 */
export function preprocessBatch(
  pixels: Float32Array,
  count: number,
  height: number,
  width: number,
  aug: AugmentationBatch,
  size: number,
  normalize = true,
): tf.Tensor4D {
  return tf.tidy(() => {
    const images = tf.tensor4d(pixels, [count, height, width, 3]);
    const boxes = tf.tensor2d(aug.boxes, [count, 4]);
    const boxIndices = tf.range(0, count, 1, 'int32') as tf.Tensor1D;
    let x: tf.Tensor = tf.image.cropAndResize(images, boxes, boxIndices, [size, size], 'bilinear');
    const identity = isIdentityColor(aug);
    // On WebGPU the colour, clip and normalization are one dispatch (kernels/color-normalize.ts).
    if (tf.getBackend() === 'webgpu' && (normalize || !identity)) {
      return colorAndNormalize(x as tf.Tensor4D, aug.colorMatrices, aug.lightingOffsets, normalize);
    }
    if (!identity) {
      const flat = tf.reshape(x, [count, size * size, 3]);
      const matrices = tf.tensor3d(aug.colorMatrices, [count, 3, 3]);
      // out_c = Σ_j M[c][j]·in_j, i.e. pixels (as rows) times Mᵀ.
      const colored = tf.add(
        tf.matMul(flat, matrices, false, true),
        tf.tensor3d(aug.lightingOffsets, [count, 1, 3]),
      );
      x = tf.reshape(tf.clipByValue(colored, 0, 255), [count, size, size, 3]);
    }
    if (!normalize) return x as tf.Tensor4D;
    const mean = tf.tensor1d([...NORMALIZE_MEAN]);
    const std = tf.tensor1d([...NORMALIZE_STD]);
    return tf.div(tf.sub(x, mean), std) as tf.Tensor4D;
  });
}
