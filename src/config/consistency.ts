import { DEFAULT_CONFIG } from './defaults';
import type { ExperimentConfig, ParamKey } from './params';

export interface IgnoredParam {
  key: string;
  value: string;
  reason: string;
}

/** Number of classes of each built-in dataset. */
export const DATASET_CLASSES: Record<ExperimentConfig['dataset'], number> = { synthetic: 10 };

export function classCount(config: Pick<ExperimentConfig, 'dataset'>): number {
  return DATASET_CLASSES[config.dataset];
}

/**
 * Rules that involve more than one parameter. Each offending value falls back to its default
 * and is reported, so a link from a stranger always yields a runnable experiment.
 */
export function enforceConsistency(config: ExperimentConfig): {
  config: ExperimentConfig;
  ignored: IgnoredParam[];
} {
  const fixed = { ...config };
  const ignored: IgnoredParam[] = [];
  const reset = (key: ParamKey, reason: string) => {
    ignored.push({ key, value: String(fixed[key]), reason });
    (fixed as Record<ParamKey, unknown>)[key] = DEFAULT_CONFIG[key];
  };
  const k = classCount(fixed);
  if (fixed.label_smoothing >= (k - 1) / k) {
    reset(
      'label_smoothing',
      `must be below (K − 1)/K = ${((k - 1) / k).toFixed(3)} for K = ${k} classes, where all targets become equal`,
    );
  }
  if (fixed.warmup >= fixed.epochs) {
    reset('warmup', `must be shorter than the training (${fixed.epochs} epochs)`);
  }
  if (fixed.train_size < fixed.batch) {
    reset('batch', `is larger than the training set (${fixed.train_size} images)`);
  }
  return { config: fixed, ignored };
}
