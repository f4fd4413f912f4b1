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
 * Rules that involve more than one parameter. Each offending value falls back to its default (or
 * the nearest valid value) and is reported, so a link from a stranger always yields a runnable experiment.
 */
export function enforceConsistency(config: ExperimentConfig): {
  config: ExperimentConfig;
  ignored: IgnoredParam[];
} {
  const fixed = { ...config };
  const ignored: IgnoredParam[] = [];
  const replace = (key: ParamKey, reason: string, value: unknown = DEFAULT_CONFIG[key]) => {
    ignored.push({ key, value: String(fixed[key]), reason });
    (fixed as Record<ParamKey, unknown>)[key] = value;
  };
  const k = classCount(fixed);
  if (fixed.label_smoothing >= (k - 1) / k) {
    replace(
      'label_smoothing',
      `must be below (K − 1)/K = ${((k - 1) / k).toFixed(3)} for K = ${k} classes, where all targets become equal`,
    );
  }
  if (fixed.warmup >= fixed.epochs) {
    replace('warmup', `must be shorter than the training (${fixed.epochs} epochs)`);
  }
  if (fixed.train_size < fixed.batch) {
    replace(
      'batch',
      `is larger than the training set; using ${fixed.train_size}`,
      fixed.train_size,
    );
  }
  return { config: fixed, ignored };
}
