import {
  epochStreams,
  preprocessingSwitches,
  sampleAugmentationBatch,
  sampleMixupLambda,
  type EpochStreams,
} from '../../tricks';
import { gatherImages, gatherLabels } from '../preprocess';
import type { StepBatch } from '../step';
import type { Session } from './session';

/** The training images at `indices`, with augmentation and mixup drawn from `streams`. */
export function batchOf(s: Session, indices: ArrayLike<number>, streams: EpochStreams): StepBatch {
  const { config, dataset } = s;
  // The last batch of an epoch holds the remainder (training/epoch-plan.ts).
  const count = indices.length;
  return {
    pixels: gatherImages(dataset.train, indices, dataset.height * dataset.width * 3),
    labels: gatherLabels(dataset.train, indices),
    count,
    augmentation: sampleAugmentationBatch(
      streams.augment,
      count,
      dataset.height,
      dataset.width,
      preprocessingSwitches(config),
    ),
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
