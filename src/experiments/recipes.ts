import { blockKindOf } from '../architecture/resnet-spec';
import type { ExperimentConfig, ModelName } from '../config/params';
import { peakLearningRate } from '../tricks/lr-schedule';

/**
 * "Run it at scale": the current toggles as command lines for timm's train.py (PyTorch, launched
 * with torchrun) and GluonCV's scripts/classification/imagenet/train_imagenet.py (MXNet, one
 * process driving --num-gpus GPUs). Flag names were checked against both scripts' argparse
 * definitions. Where an engine cannot express a setting, the recipe says so in `notes`.
 */

export interface RecipeOptions {
  gpus: number;
  dataDir: string;
}

export interface Recipe {
  engine: 'timm' | 'gluoncv';
  command: string;
  notes: string[];
}

export const DEFAULT_RECIPE_OPTIONS: RecipeOptions = { gpus: 8, dataDir: '/data/imagenet' };

const DEPTH: Record<ModelName, number> = {
  resnet10: 10,
  resnet18: 18,
  resnet26: 26,
  resnet34: 34,
  resnet50: 50,
  resnet101: 101,
  resnet152: 152,
};

const num = (x: number) => String(Number(x.toPrecision(6)));

/** Whether any step of the §2.1 training augmentation is on. */
function anyAugmentation(config: ExperimentConfig): boolean {
  return config.crop || config.flip || config.jitter || config.pca;
}

/** Step decay at ¼, ½, ¾ of the epochs, as the playground (30/60/90 of 120). */
export function decayEpochs(epochs: number): number[] {
  return [0.25, 0.5, 0.75].map((f) => Math.round(f * epochs));
}

function perGpuBatch(config: ExperimentConfig, gpus: number, notes: string[]): number {
  const per = Math.max(1, Math.floor(config.batch / gpus));
  if (per * gpus !== config.batch) {
    notes.push(
      `Batch ${config.batch} does not split evenly over ${gpus} GPUs: ${per} per GPU = ${per * gpus} in total.`,
    );
  }
  return per;
}

function commonNotes(config: ExperimentConfig): string[] {
  const notes: string[] = [];
  if (config.width !== 1) {
    notes.push(
      `Width ×${config.width} has no flag: the command trains the full-width ResNet (the paper's widths).`,
    );
  }
  if (config.label_smoothing > 0) {
    notes.push(
      `Label smoothing: both engines put ε/K on every class (true class 1 − ε + ε/K), the paper ε/(K − 1) on the others (Eq. 4); the optimal gap differs slightly.`,
    );
  }
  return notes;
}

/** timm model name and --model-kwargs for depth and tweaks. */
function timmModel(config: ExperimentConfig, notes: string[]): { model: string; kwargs: string[] } {
  const depth = DEPTH[config.model];
  const kwargs: string[] = [];
  const bottleneck = blockKindOf(config.model) === 'bottleneck';
  if (bottleneck && !config.tweak_b) {
    notes.push(
      'timm bottlenecks always stride on the 3×3 conv (ResNet-B); the original ResNet is not available.',
    );
  }
  let model: string;
  if (config.model === 'resnet10') {
    model = 'resnet10t';
    notes.push(
      'timm has no plain ResNet-10; resnet10t has a tiered deep stem and average-pool shortcuts.',
    );
  } else if (config.tweak_c && config.tweak_d) {
    model = `resnet${depth}d`;
  } else {
    model = `resnet${depth}`;
    if (config.tweak_c) kwargs.push('stem_type=deep', 'stem_width=32');
    if (config.tweak_d) kwargs.push('avg_down=True');
  }
  // timm's ResNet zero-initializes the last BN γ of every block by default.
  if (!config.zero_gamma) kwargs.push('zero_init_last=False');
  return { model, kwargs };
}

export function timmRecipe(
  config: ExperimentConfig,
  options: RecipeOptions = DEFAULT_RECIPE_OPTIONS,
): Recipe {
  const notes = commonNotes(config);
  const { model, kwargs } = timmModel(config, notes);
  const per = perGpuBatch(config, options.gpus, notes);
  const args: string[] = [
    `--data-dir ${options.dataDir}`,
    `--model ${model}`,
    ...(kwargs.length > 0 ? [`--model-kwargs ${kwargs.join(' ')}`] : []),
    `--img-size ${config.input}`,
    `-b ${per}`,
    '--opt sgd --momentum 0.9',
    `--weight-decay ${num(config.wd)}`,
  ];
  if (config.linear_scaling) {
    args.push(`--lr-base ${num(config.lr)} --lr-base-size 256 --lr-base-scale linear`);
  } else {
    args.push(`--lr ${num(config.lr)}`);
  }
  args.push(`--epochs ${config.epochs}`);
  if (config.cosine) {
    args.push('--sched cosine --min-lr 0');
  } else {
    args.push(
      `--sched multistep --decay-milestones ${decayEpochs(config.epochs).join(' ')} --decay-rate 0.1`,
    );
  }
  args.push('--sched-on-updates');
  if (config.warmup > 0) {
    args.push(`--warmup-epochs ${config.warmup} --warmup-lr 0 --warmup-prefix`);
  } else {
    args.push('--warmup-epochs 0');
  }
  args.push('--cooldown-epochs 0');
  args.push(`--smoothing ${num(config.label_smoothing)}`);
  if (config.mixup > 0) args.push(`--mixup ${num(config.mixup)}`);
  if (!anyAugmentation(config)) {
    args.push('--no-aug');
  } else {
    if (!config.crop) args.push('--scale 1 1 --ratio 1 1');
    if (!config.flip) args.push('--hflip 0');
    if (!config.jitter) args.push('--color-jitter 0');
  }
  args.push(`--seed ${config.seed}`);

  if (!config.no_bias_decay && config.wd > 0) {
    notes.push(
      'timm always exempts biases and BN parameters from weight decay (no bias decay is on).',
    );
  }
  if (config.distill) {
    notes.push(
      'timm’s train.py has no knowledge distillation; use the GluonCV command or a distillation fork.',
    );
  }
  if (anyAugmentation(config)) {
    notes.push(
      'timm’s default augmentation: random-resized crop, flip, color jitter 0.4 (brightness, contrast, saturation); no PCA lighting noise.',
    );
  }
  if (!config.crop && anyAugmentation(config)) {
    notes.push('--scale 1 1 --ratio 1 1 keeps timm’s crop at full size but not at the centre.');
  }
  if (config.mixup > 0) {
    notes.push('timm’s Mixup also mixes the smoothed targets, as the playground does.');
  }
  const launch = `torchrun --nproc_per_node=${options.gpus} train.py`;
  return { engine: 'timm', command: formatCommand(launch, args), notes };
}

function gluonModel(config: ExperimentConfig, notes: string[]): string {
  let depth = DEPTH[config.model];
  if (depth === 10 || depth === 26) {
    const nearest = depth === 10 ? 18 : 50;
    notes.push(`GluonCV has no ResNet-${depth}; the command uses ResNet-${nearest}.`);
    depth = nearest;
  }
  const { tweak_b: b, tweak_c: c, tweak_d: d } = config;
  if (d) {
    if (!c || !b) notes.push('resnet*_v1d also has the ResNet-B stride and the ResNet-C stem.');
    return `resnet${depth}_v1d`;
  }
  if (c) {
    if (!b) notes.push('resnet*_v1c also has the ResNet-B stride.');
    return `resnet${depth}_v1c`;
  }
  return b ? `resnet${depth}_v1b` : `resnet${depth}_v1`;
}

export function gluoncvRecipe(
  config: ExperimentConfig,
  options: RecipeOptions = DEFAULT_RECIPE_OPTIONS,
): Recipe {
  const notes = commonNotes(config);
  const model = gluonModel(config, notes);
  const per = perGpuBatch(config, options.gpus, notes);
  // GluonCV takes the learning rate as used; linear scaling is applied here.
  const lr = peakLearningRate(config);
  const args: string[] = [
    '--use-rec',
    `--rec-train ${options.dataDir}/rec/train.rec --rec-train-idx ${options.dataDir}/rec/train.idx`,
    `--rec-val ${options.dataDir}/rec/val.rec --rec-val-idx ${options.dataDir}/rec/val.idx`,
    `--model ${model} --mode hybrid`,
    `--input-size ${config.input}`,
    `--num-gpus ${options.gpus} --batch-size ${per} -j 32`,
    `--num-epochs ${config.epochs}`,
    `--lr ${num(lr)} --momentum 0.9 --wd ${num(config.wd)}`,
  ];
  if (config.linear_scaling) {
    notes.push(
      `--lr ${num(lr)} is the linearly scaled rate ${num(config.lr)} × ${config.batch}/256.`,
    );
  }
  args.push(
    config.cosine
      ? '--lr-mode cosine'
      : `--lr-mode step --lr-decay 0.1 --lr-decay-epoch ${decayEpochs(config.epochs).join(',')}`,
  );
  if (config.warmup > 0) args.push(`--warmup-epochs ${config.warmup}`);
  if (config.zero_gamma) args.push('--last-gamma');
  if (config.no_bias_decay) args.push('--no-wd');
  if (config.label_smoothing > 0) {
    args.push('--label-smoothing');
    if (config.label_smoothing !== 0.1) {
      notes.push(`GluonCV’s --label-smoothing is fixed at ε = 0.1, not ${config.label_smoothing}.`);
    }
  }
  if (config.mixup > 0) args.push(`--mixup --mixup-alpha ${num(config.mixup)}`);
  if (config.distill) {
    args.push(`--teacher resnet152_v1d --temperature ${num(config.temperature)} --hard-weight 0.5`);
    notes.push(
      `The teacher must be a GluonCV model-zoo name (pretrained): resnet152_v1d is the paper’s; the playground’s teacher ${config.distill} has none. --hard-weight 0.5 weighs both terms equally, as Eq. 6 does, at half the scale.`,
    );
  }
  if (!(config.crop && config.flip && config.jitter && config.pca)) {
    notes.push('GluonCV’s script has no switch to turn steps of its baseline augmentation off.');
  }
  notes.push(
    'GluonCV’s train_imagenet.py runs one process that drives every GPU given by --num-gpus.',
  );
  return {
    engine: 'gluoncv',
    command: formatCommand('python train_imagenet.py', args),
    notes,
  };
}

function formatCommand(launch: string, args: string[]): string {
  return [launch, ...args.map((a) => `  ${a}`)].join(' \\\n');
}

/** The mapping shown in the page and the README: playground setting → timm → GluonCV. */
export const RECIPE_MAPPING: readonly [string, string, string][] = [
  [
    'model, tweak_c, tweak_d',
    '--model resnetNd (C+D) or --model-kwargs stem_type=deep stem_width=32 / avg_down=True',
    '--model resnetN_v1 / _v1b / _v1c / _v1d',
  ],
  ['tweak_b', 'always on for bottlenecks', 'part of _v1b, _v1c, _v1d'],
  [
    'batch',
    '-b batch/GPUs per process, torchrun --nproc_per_node=GPUs',
    '--batch-size batch/GPUs per device, --num-gpus GPUs',
  ],
  [
    'lr, linear_scaling',
    '--lr, or --lr-base lr --lr-base-size 256 --lr-base-scale linear',
    '--lr η (scaled here)',
  ],
  ['wd', '--weight-decay', '--wd'],
  ['epochs', '--epochs', '--num-epochs'],
  [
    'cosine',
    '--sched cosine --min-lr 0 (else multistep at ¼ ½ ¾)',
    '--lr-mode cosine (else step at ¼ ½ ¾)',
  ],
  [
    'warmup',
    '--warmup-epochs m --warmup-lr 0 --warmup-prefix --sched-on-updates',
    '--warmup-epochs m',
  ],
  ['zero_gamma', 'default; off = --model-kwargs zero_init_last=False', '--last-gamma'],
  ['no_bias_decay', 'always on', '--no-wd'],
  ['label_smoothing', '--smoothing ε (ε/K form)', '--label-smoothing (ε = 0.1, ε/K form)'],
  ['mixup', '--mixup α', '--mixup --mixup-alpha α'],
  ['distill, temperature', 'not in train.py', '--teacher NAME --temperature T --hard-weight 0.5'],
  ['crop, flip, jitter, pca all 0', '--no-aug', 'no switch'],
  ['crop = 0', '--scale 1 1 --ratio 1 1', 'no switch'],
  ['flip = 0', '--hflip 0', 'no switch'],
  ['jitter = 0', '--color-jitter 0', 'no switch'],
  ['pca = 1', 'no PCA lighting noise', 'default (--lighting 0.1 in its augmenter)'],
  ['seed', '--seed', 'no switch'],
];
