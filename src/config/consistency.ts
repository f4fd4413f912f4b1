import { SEGMENTATION_CLASSES } from '../data/synthetic-scenes';
import { DEFAULT_CONFIG } from './defaults';
import type { ExperimentConfig, ParamKey } from './params';

export interface IgnoredParam {
  key: string;
  value: string;
  reason: string;
}

/**
 * Number of classes of each dataset; an image folder has as many as it has class folders, a Hub
 * dataset as its metadata names.
 */
export const DATASET_CLASSES: Record<ExperimentConfig['dataset'], number | null> = {
  synthetic: 10,
  cifar10: 10,
  cifar100: 100,
  mnist: 10,
  'fashion-mnist': 10,
  imagenette: 10,
  folder: null,
  hub: null,
};

/** Shown for an image folder before one is loaded. */
const UNKNOWN_CLASSES = 10;

/**
 * The class count for training: the loaded dataset's when there is one (`loaded`), else the
 * dataset's known count.
 */
export function classCount(
  config: Pick<ExperimentConfig, 'dataset'> & Partial<Pick<ExperimentConfig, 'task'>>,
  loaded: number | null = null,
): number {
  // Segmentation labels every pixel: background or one of the synthetic shapes.
  if (config.task === 'segment') return SEGMENTATION_CLASSES.length;
  if (config.dataset !== 'synthetic' && loaded !== null) return loaded;
  return DATASET_CLASSES[config.dataset] ?? UNKNOWN_CLASSES;
}

/**
 * Rules that involve more than one parameter. Each offending value falls back to its default (or
 * the nearest valid value) and is reported, so a link from a stranger always yields a runnable experiment.
 */
export function enforceConsistency(
  config: ExperimentConfig,
  loadedClasses: number | null = null,
): {
  config: ExperimentConfig;
  ignored: IgnoredParam[];
} {
  const fixed = { ...config };
  const ignored: IgnoredParam[] = [];
  const replace = (key: ParamKey, reason: string, value: unknown = DEFAULT_CONFIG[key]) => {
    ignored.push({ key, value: String(fixed[key]), reason });
    (fixed as Record<ParamKey, unknown>)[key] = value;
  };
  if (fixed.task === 'segment') {
    // Only the built-in scenes have per-pixel labels; the paper's FCNs train on plain per-pixel
    // cross-entropy, the refinements being the backbones' (Reproduce Table 9).
    if (fixed.dataset !== 'synthetic') {
      replace(
        'task',
        'segmentation needs per-pixel labels: only the built-in synthetic scenes have them',
      );
    } else {
      const refinement =
        'is a backbone trick in Table 9: FCN trains on plain per-pixel cross-entropy';
      if (fixed.mixup > 0) replace('mixup', refinement);
      if (fixed.distill) replace('distill', refinement);
      if (fixed.label_smoothing > 0) replace('label_smoothing', refinement);
    }
  }
  const known =
    DATASET_CLASSES[fixed.dataset] === null && loadedClasses === null
      ? null
      : classCount(fixed, loadedClasses);
  const k = known ?? 2;
  if (known !== null && fixed.label_smoothing >= (k - 1) / k) {
    replace(
      'label_smoothing',
      `must be below (K − 1)/K = ${((k - 1) / k).toFixed(3)} for K = ${k} classes, where all targets become equal`,
    );
  }
  if (fixed.warmup >= fixed.epochs) {
    replace('warmup', `must be shorter than the training (${fixed.epochs} epochs)`);
  }
  if (fixed.dataset === 'synthetic' && fixed.train_size < fixed.batch) {
    replace(
      'batch',
      `is larger than the training set; using ${fixed.train_size}`,
      fixed.train_size,
    );
  }
  return { config: fixed, ignored };
}
