import { blockKindOf } from '../architecture/resnet-spec';
import type { ExperimentConfig, ModelName } from '../config/params';
import { peakLearningRate } from '../tricks/lr-schedule';

/**
 * "Run it at scale": the current toggles as command lines for timm's train.py (PyTorch, launched
 * with torchrun) and GluonCV's scripts/classification/imagenet/train_imagenet.py (MXNet, one
 * process driving --num-gpus GPUs). Every flag was checked against the argparse definitions of
 * timm's train.py at tag v1.0.28 and at main 1.0.29.dev0 (commit aa4b585, 2026-08-08; the
 * distillation flags exist from v1.0.23 on) and of GluonCV's train_imagenet.py at master (commit
 * 5677756, 2023-01-18). Where an engine cannot express a setting, the recipe says so in `notes`.
 */

/** The teacher of the distillation recipes: ResNet-152-D, the paper's (§5.5). */
export const TIMM_TEACHER = 'resnet152d.gluon_in1k';
export const GLUONCV_TEACHER = 'resnet152_v1d';

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
  // timm registers no plain ResNet-10: ResNet-18's constructor with one block per stage is one.
  const base = config.model === 'resnet10' ? 18 : depth;
  if (config.model === 'resnet10') kwargs.push("'layers=(1,1,1,1)'");
  let model: string;
  if (config.tweak_c && config.tweak_d) {
    model = `resnet${base}d`;
  } else {
    model = `resnet${base}`;
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
  // --warmup-prefix (cosine only) puts the warmup in front of --epochs: the cosine then spans the
  // batches after warmup, as the paper's T does, and the total stays config.epochs.
  const prefixWarmup = config.cosine && config.warmup > 0;
  const args: string[] = [
    `--data-dir ${options.dataDir}`,
    `--model ${model}`,
    ...(kwargs.length > 0 ? [`--model-kwargs ${kwargs.join(' ')}`] : []),
    `--img-size ${config.input}`,
    `-b ${per}`,
    '--opt sgd --momentum 0.9',
    `--weight-decay ${num(config.wd)}`,
  ];
  if (!config.no_bias_decay && config.wd > 0) args.push('--opt-kwargs filter_bias_and_bn=False');
  if (config.linear_scaling) {
    args.push(`--lr-base ${num(config.lr)} --lr-base-size 256 --lr-base-scale linear`);
  } else {
    args.push(`--lr ${num(config.lr)}`);
  }
  args.push(`--epochs ${prefixWarmup ? config.epochs - config.warmup : config.epochs}`);
  if (config.cosine) {
    args.push('--sched cosine --min-lr 0');
  } else {
    args.push(
      `--sched multistep --decay-milestones ${decayEpochs(config.epochs).join(' ')} --decay-rate 0.1`,
    );
  }
  args.push('--sched-on-updates');
  if (config.warmup > 0) {
    args.push(
      `--warmup-epochs ${config.warmup} --warmup-lr 0${prefixWarmup ? ' --warmup-prefix' : ''}`,
    );
  } else {
    args.push('--warmup-epochs 0');
  }
  args.push('--cooldown-epochs 0');
  args.push(`--smoothing ${num(config.label_smoothing)}`);
  if (config.mixup > 0) args.push(`--mixup ${num(config.mixup)}`);
  if (config.fp16) args.push('--amp');
  if (!anyAugmentation(config)) {
    args.push('--no-aug');
  } else {
    if (!config.crop) args.push('--scale 1 1 --ratio 1 1');
    if (!config.flip) args.push('--hflip 0');
    if (!config.jitter) args.push('--color-jitter 0');
  }
  if (config.distill) {
    args.push(
      `--kd-model-name ${TIMM_TEACHER} --kd-temperature ${num(config.temperature)} --task-loss-weight 1 --distill-loss-weight 1`,
    );
  }
  args.push(`--seed ${config.seed}`);

  if (prefixWarmup) {
    notes.push(
      `--epochs ${config.epochs - config.warmup}: --warmup-prefix trains the ${config.warmup} warmup epochs before the cosine's ${config.epochs - config.warmup}, ${config.epochs} in total, as the playground.`,
    );
  }
  if (config.warmup > 0) {
    notes.push(
      'timm’s warmup starts at --warmup-lr 0 on the first batch: batch i runs at (i − 1)·η/m, one batch behind the paper’s i·η/m.',
    );
  }
  if (config.fp16) {
    notes.push(
      '--amp: PyTorch autocast to float16 with f32 weights and dynamic loss scaling, as §3.2; which ops run in f16 is autocast’s choice.',
    );
  }
  if (config.distill) {
    notes.push(
      `Distillation needs timm 1.0.23 or later. The teacher is timm’s resnet152d with GluonCV’s ImageNet weights (${TIMM_TEACHER}, GluonCV’s ${GLUONCV_TEACHER}): the paper’s ResNet-152-D; the playground’s teacher ${config.distill} has no timm name.`,
      'timm’s loss is task weight × the classification loss + distill weight × T²·KL(softmax(r/T) ‖ softmax(z/T)). The KL divergence is Eq. 6’s cross-entropy minus the teacher’s entropy, a constant, so weights 1 and 1 (timm’s default, written out) train on Eq. 6 exactly. The teacher sees the same augmented and mixed batch, as in the playground.',
    );
  }
  if (anyAugmentation(config)) {
    notes.push(
      'timm’s default augmentation: random-resized crop, flip, color jitter 0.4 (brightness, contrast, saturation); no PCA lighting noise.',
    );
  }
  if (!config.crop && anyAugmentation(config)) {
    notes.push(
      '--scale 1 1 --ratio 1 1: no crop of the whole area has aspect 1, so timm takes its fallback, the centre square of the whole shorter side; the playground’s crop = 0 keeps the centre 224/256 of it.',
    );
  }
  if (!anyAugmentation(config)) {
    notes.push(
      'timm’s --no-aug resizes the shorter side to the input size and crops the centre: the whole shorter side, where the playground keeps the centre 224/256 of it.',
    );
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
  if (config.fp16) {
    args.push('--dtype float16');
    notes.push(
      '--dtype float16 casts the network to float16 (f16 storage and arithmetic) with f32 master weights (multi_precision); the script has no loss scaling.',
    );
  }
  if (config.distill) {
    args.push(
      `--teacher ${GLUONCV_TEACHER} --temperature ${num(config.temperature)} --hard-weight 0.5`,
    );
    notes.push(
      `The teacher must be a GluonCV model-zoo name (pretrained): ${GLUONCV_TEACHER} is the paper’s; the playground’s teacher ${config.distill} has none. The loss is (1 − h)·T²·soft + h·hard: --hard-weight 0.5 weighs both terms equally, as Eq. 6 does, at half the scale.`,
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

/** The mapping shown in the page and in docs/timm.md: playground setting → timm → GluonCV. */
export const RECIPE_MAPPING: readonly [string, string, string][] = [
  [
    'model, tweak_c, tweak_d',
    "--model resnetNd (C+D) or --model-kwargs stem_type=deep stem_width=32 / avg_down=True; ResNet-10: --model resnet18(d) --model-kwargs 'layers=(1,1,1,1)'",
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
  ['epochs', '--epochs (with cosine and warmup: epochs − m)', '--num-epochs'],
  [
    'cosine',
    '--sched cosine --min-lr 0 (else multistep at ¼ ½ ¾)',
    '--lr-mode cosine (else step at ¼ ½ ¾)',
  ],
  [
    'warmup',
    '--warmup-epochs m --warmup-lr 0 --sched-on-updates (+ --warmup-prefix with cosine)',
    '--warmup-epochs m',
  ],
  ['zero_gamma', 'default; off = --model-kwargs zero_init_last=False', '--last-gamma'],
  ['no_bias_decay', 'default; off = --opt-kwargs filter_bias_and_bn=False', '--no-wd'],
  ['fp16', '--amp', '--dtype float16'],
  ['label_smoothing', '--smoothing ε (ε/K form)', '--label-smoothing (ε = 0.1, ε/K form)'],
  ['mixup', '--mixup α', '--mixup --mixup-alpha α'],
  [
    'distill, temperature',
    `--kd-model-name ${TIMM_TEACHER} --kd-temperature T --task-loss-weight 1 --distill-loss-weight 1 (timm ≥ 1.0.23)`,
    `--teacher ${GLUONCV_TEACHER} --temperature T --hard-weight 0.5`,
  ],
  ['crop, flip, jitter, pca all 0', '--no-aug', 'no switch'],
  ['crop = 0', '--scale 1 1 --ratio 1 1', 'no switch'],
  ['flip = 0', '--hflip 0', 'no switch'],
  ['jitter = 0', '--color-jitter 0', 'no switch'],
  ['pca = 1', 'no PCA lighting noise', 'default (PCA lighting noise 0.1, built in)'],
  ['seed', '--seed', 'no switch'],
];
