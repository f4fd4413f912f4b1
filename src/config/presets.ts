import { DEFAULT_CONFIG } from './defaults';
import { enforceConsistency, type IgnoredParam } from './consistency';
import type { ExperimentConfig } from './params';
import { toQuery } from './url-codec';

/**
 * One-click configurations from the paper. A preset sets the trick toggles and the optimization
 * settings of its section; it leaves the playground's scale (width, input, dataset sizes, epochs,
 * seed) alone, so it works at any size. Its URL is the preset applied to the defaults.
 */

export type PresetId = 'baseline' | 'efficient' | 'resnet_b' | 'resnet_c' | 'resnet_d' | 'full';

export interface Preset {
  id: PresetId;
  title: string;
  section: string;
  description: string;
  values: Partial<ExperimentConfig>;
}

/** Every trick off: the paper's §2 baseline. */
export const TRICKS_OFF = {
  linear_scaling: false,
  warmup: 0,
  zero_gamma: false,
  no_bias_decay: false,
  fp16: false,
  tweak_b: false,
  tweak_c: false,
  tweak_d: false,
  cosine: false,
  label_smoothing: 0,
  mixup: 0,
  distill: '',
} as const satisfies Partial<ExperimentConfig>;

const BASELINE = {
  ...TRICKS_OFF,
  model: 'resnet50',
  crop: true,
  flip: true,
  jitter: true,
  pca: true,
  batch: 256,
  lr: 0.1,
  wd: 0.0001,
} as const satisfies Partial<ExperimentConfig>;

/**
 * §3: batch 1024 with η = 0.1 × 1024/256 = 0.4, warmup, zero γ, no bias decay and FP16. The paper
 * warms up for 5 of 120 epochs; at the playground's epoch counts that is 1 epoch.
 */
const EFFICIENT = {
  ...BASELINE,
  batch: 1024,
  linear_scaling: true,
  warmup: 1,
  zero_gamma: true,
  no_bias_decay: true,
  fp16: true,
} as const satisfies Partial<ExperimentConfig>;

export const PRESETS: readonly Preset[] = [
  {
    id: 'baseline',
    title: 'Baseline',
    section: '§2',
    description:
      'ResNet-50, batch 256, η = 0.1, Nesterov SGD, step decay, baseline preprocessing, no tricks.',
    values: BASELINE,
  },
  {
    id: 'efficient',
    title: 'Efficient',
    section: '§3',
    description:
      'Batch 1024 with linear scaling (η = 0.4), 1 warmup epoch, zero γ, no bias decay, FP16 mixed precision.',
    values: EFFICIENT,
  },
  {
    id: 'resnet_b',
    title: 'ResNet-50-B',
    section: '§4',
    description: 'Efficient training + ResNet-B (stride 2 on the 3×3 conv of path A).',
    values: { ...EFFICIENT, tweak_b: true },
  },
  {
    id: 'resnet_c',
    title: 'ResNet-50-C',
    section: '§4',
    description: 'ResNet-B + the deep 3×3 stem of ResNet-C, cumulative as in Table 5.',
    values: { ...EFFICIENT, tweak_b: true, tweak_c: true },
  },
  {
    id: 'resnet_d',
    title: 'ResNet-50-D',
    section: '§4',
    description: 'ResNet-C + the average-pool shortcut of ResNet-D, cumulative as in Table 5.',
    values: { ...EFFICIENT, tweak_b: true, tweak_c: true, tweak_d: true },
  },
  {
    id: 'full',
    title: 'Full stack',
    section: '§5',
    description:
      'ResNet-50-D, efficient training (FP16 included), cosine decay, label smoothing ε = 0.1, mixup α = 0.2. Distillation needs a teacher run: pick one afterwards.',
    values: {
      ...EFFICIENT,
      tweak_b: true,
      tweak_c: true,
      tweak_d: true,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
      temperature: 20,
    },
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The preset's values over `config`; values the config's scale cannot hold are reported. */
export function applyPreset(
  config: ExperimentConfig,
  preset: Preset,
): { config: ExperimentConfig; ignored: IgnoredParam[] } {
  return enforceConsistency({ ...config, ...preset.values });
}

/** The preset as a link: its values over the defaults, as a query string (no leading '?'). */
export function presetQuery(preset: Preset): string {
  return toQuery(applyPreset({ ...DEFAULT_CONFIG }, preset).config);
}
