import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from '../data/dataset';
import { createRng, preprocessingSwitches, sampleAugmentationBatch } from '../tricks';
import { gatherImages, gatherLabels, preprocessBatch } from './preprocess';

/**
 * One training batch through the same GPU preprocessing as training, stopped before
 * normalization: what the network sees, as 8-bit pixels for the augmentation preview.
 */
export async function augmentedPreview(
  dataset: ImageDataset,
  config: Pick<ExperimentConfig, 'seed' | 'input' | 'crop' | 'flip' | 'jitter' | 'pca'>,
  count: number,
  draw: number,
): Promise<{ pixels: Uint8Array; labels: Int32Array; size: number }> {
  const { height, width } = dataset;
  const n = Math.min(count, dataset.train.count);
  const rng = createRng((config.seed * 7919 + draw * 104729) >>> 0);
  const indices = Array.from(rng.permutation(dataset.train.count).subarray(0, n));
  const augmentation = sampleAugmentationBatch(
    rng,
    n,
    height,
    width,
    preprocessingSwitches(config),
  );
  const pixels = gatherImages(dataset.train, indices, height * width * 3);
  const out = tf.tidy(() =>
    tf.cast(
      tf.round(preprocessBatch(pixels, n, height, width, augmentation, config.input, false)),
      'int32',
    ),
  );
  const values = await out.data();
  out.dispose();
  return {
    pixels: Uint8Array.from(values),
    labels: gatherLabels(dataset.train, indices),
    size: config.input,
  };
}
