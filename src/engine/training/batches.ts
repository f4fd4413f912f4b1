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
  return {
    pixels: gatherImages(dataset.train, indices, dataset.height * dataset.width * 3),
    labels: gatherLabels(dataset.train, indices),
    count: config.batch,
    augmentation: sampleAugmentationBatch(
      streams.augment,
      config.batch,
      dataset.height,
      dataset.width,
      preprocessingSwitches(config),
    ),
    mixupLambda: sampleMixupLambda(streams.mixup, config.mixup),
  };
}

/** A batch shaped like every training batch, from streams training never uses (epoch 0). */
export function dryRunBatch(s: Session): StepBatch {
  const { batch } = s.config;
  const count = s.dataset.train.count;
  return batchOf(
    s,
    Int32Array.from({ length: batch }, (_, i) => i % count),
    epochStreams(s.config.seed, 0),
  );
}
