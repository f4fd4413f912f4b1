import { PARAM_KEYS, PARAMS, type ExperimentConfig, type ParamKey } from '../config/params';

/** Settings that do not change what is trained; never part of a run's label. */
const NOT_TRAINING: ReadonlySet<string> = new Set(['autorun', 'classes', 'present', 'repeats']);

/** Short names in the paper's vocabulary. */
const SHORT: Partial<Record<ParamKey, string>> = {
  linear_scaling: 'linear scaling',
  warmup: 'warmup',
  zero_gamma: 'zero γ',
  no_bias_decay: 'no bias decay',
  tweak_b: 'ResNet-B',
  tweak_c: 'ResNet-C',
  tweak_d: 'ResNet-D',
  cosine: 'cosine decay',
  label_smoothing: 'label smoothing',
  mixup: 'mixup',
  distill: 'distill',
  temperature: 'T',
  crop: 'random-resized-crop',
  flip: 'flip',
  jitter: 'HSB jitter',
  pca: 'PCA noise',
  backbone_lr: 'backbone lr ×',
  train_size: 'train images',
  val_size: 'val images',
};

function nameOf(key: ParamKey): string {
  return SHORT[key] ?? key;
}

/** One setting in words, e.g. "cosine decay", "no cosine decay", "batch 1024", "mixup 0.2". */
export function describeSetting(key: ParamKey, value: unknown): string {
  const name = nameOf(key);
  if (typeof value === 'boolean') return value ? name : `no ${name}`;
  if (key === 'distill') return value === '' ? 'no distill' : `distill from ${String(value)}`;
  if (key === 'backbone') return value === '' ? 'from scratch' : `backbone ${String(value)}`;
  if (key === 'transfer') return value === 'probe' ? 'linear probe' : 'fine-tune';
  const off = PARAMS[key].default === 0 && value === 0;
  if (off && (key === 'warmup' || key === 'label_smoothing' || key === 'mixup'))
    return `no ${name}`;
  return `${name} ${String(value)}`;
}

/** Training-relevant keys whose values differ between two configs, in table order. */
export function differingKeys(a: ExperimentConfig, b: ExperimentConfig): ParamKey[] {
  return PARAM_KEYS.filter((key) => !NOT_TRAINING.has(key) && a[key] !== b[key]);
}

/** How `config` differs from `base`, e.g. "cosine decay + label smoothing 0.1". */
export function diffLabel(base: ExperimentConfig, config: ExperimentConfig): string {
  const keys = differingKeys(base, config);
  if (keys.length === 0) return 'same settings';
  return keys.map((key) => describeSetting(key, config[key])).join(' + ');
}
