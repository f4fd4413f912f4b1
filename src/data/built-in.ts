import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from './dataset';
import { generateSyntheticDataset } from './synthetic';
import { sceneDataset } from './synthetic-scenes';

/**
 * The dataset a config trains on when it loads none (dataset=synthetic), generated from its seed:
 * the shapes for classification, the scenes of 1–4 shapes with their masks for segmentation.
 */
export function builtInDataset(
  config: Pick<ExperimentConfig, 'seed' | 'train_size' | 'val_size' | 'task'>,
): ImageDataset {
  const options = { seed: config.seed, trainSize: config.train_size, valSize: config.val_size };
  return config.task === 'segment' ? sceneDataset(options) : generateSyntheticDataset(options);
}
