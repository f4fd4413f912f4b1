import {
  epochStreams,
  preprocessingSwitches,
  sampleAugmentationBatch,
  sampleMixupLambda,
  type EpochStreams,
} from '../../tricks';
import { cropMasks, gatherMasks } from '../../data/mask-crop';
import { gatherImages, gatherLabels } from '../preprocess';
import type { StepBatch } from '../step';
import type { Session } from './session';

/** The training images at `indices`, with augmentation and mixup drawn from `streams`. */
export function batchOf(s: Session, indices: ArrayLike<number>, streams: EpochStreams): StepBatch {
  const { config, dataset } = s;
  // The last batch of an epoch holds the remainder (training/epoch-plan.ts).
  const count = indices.length;
  const augmentation = sampleAugmentationBatch(
    streams.augment,
    count,
    dataset.height,
    dataset.width,
    preprocessingSwitches(config),
  );
  const { masks } = dataset.train;
  return {
    pixels: gatherImages(dataset.train, indices, dataset.height * dataset.width * 3),
    // Segmentation: every pixel's label, cropped and flipped with its image.
    labels: masks
      ? cropMasks(
          gatherMasks(masks, indices, dataset.height * dataset.width),
          augmentation.boxes,
          count,
          dataset.height,
          dataset.width,
          s.model.input,
        )
      : gatherLabels(dataset.train, indices),
    count,
    augmentation,
    mixupLambda: sampleMixupLambda(streams.mixup, config.mixup),
  };
}

/** A batch of `size` images, from streams training never uses (epoch 0), to compile ahead. */
export function dryRunBatch(s: Session, size: number = s.config.batch): StepBatch {
  const count = s.dataset.train.count;
  return batchOf(
    s,
    Int32Array.from({ length: size }, (_, i) => i % count),
    epochStreams(s.config.seed, 0),
  );
}
