import { z } from 'zod';
import { KERNEL_SETTINGS, type KernelSetting } from '../tuning-plan/plan';
import { HUB_ID_SOURCE } from '../data/hub/catalog';

/**
 * The declared table of every experiment parameter. It is the single source of truth for the
 * URL codec, the UI controls, the worker and the CLI: adding a row here adds it everywhere.
 * Property names are the URL query keys.
 */

export const MODEL_NAMES = [
  'resnet10',
  'resnet18',
  'resnet26',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const STEMS = ['auto', 'imagenet', 'small'] as const;
export type StemChoice = (typeof STEMS)[number];

export const DATASETS = [
  'synthetic',
  'cifar10',
  'cifar100',
  'mnist',
  'fashion-mnist',
  'imagenette',
  'folder',
  'hub',
] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Where a dataset's files come from: the user's files (or the browser cache), or the Hugging Face Hub. */
export const DATASET_SOURCES = ['files', 'hub'] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

export type ParamGroup =
  'model' | 'data' | 'optimization' | 'efficient' | 'tweaks' | 'refinements' | 'transfer';

export const TRANSFER_MODES = ['finetune', 'probe'] as const;
export type TransferMode = (typeof TRANSFER_MODES)[number];

/** What a run learns: one class per image, or one per pixel (FCN, paper §6.2). */
export const TASKS = ['classify', 'segment'] as const;
export type Task = (typeof TASKS)[number];

interface ParamBase<T> {
  label: string;
  help: string;
  group: ParamGroup;
  default: T;
  schema: z.ZodType<T>;
}

export interface BoolParam extends ParamBase<boolean> {
  kind: 'bool';
}
export interface NumberParam extends ParamBase<number> {
  kind: 'number';
  min: number;
  max: number;
  integer: boolean;
  step: number;
  unit?: string;
}
export interface EnumParam<T extends string> extends ParamBase<T> {
  kind: 'enum';
  options: readonly T[];
}
export interface TextParam extends ParamBase<string> {
  kind: 'text';
  pattern: RegExp;
  patternHint: string;
}

function bool(p: Omit<BoolParam, 'kind' | 'schema'>): BoolParam {
  return { ...p, kind: 'bool', schema: z.boolean() };
}

function num(
  p: Omit<NumberParam, 'kind' | 'schema' | 'integer' | 'step'> & {
    integer?: boolean;
    step?: number;
    exclusiveMin?: boolean;
  },
): NumberParam {
  const integer = p.integer ?? false;
  let schema = z.number().finite();
  schema = p.exclusiveMin
    ? schema.gt(p.min, `must be greater than ${p.min}`)
    : schema.gte(p.min, `must be at least ${p.min}`);
  schema = schema.lte(p.max, `must be at most ${p.max}`);
  if (integer) schema = schema.int('must be a whole number');
  const { exclusiveMin: _unused, ...rest } = p;
  return { ...rest, kind: 'number', integer, step: p.step ?? (integer ? 1 : 0.01), schema };
}

function oneOf<T extends string>(p: Omit<EnumParam<T>, 'kind' | 'schema'>): EnumParam<T> {
  const allowed = new Set<string>(p.options);
  const schema = z
    .string()
    .refine(
      (v) => allowed.has(v),
      `must be one of ${p.options.join(', ')}`,
    ) as unknown as z.ZodType<T>;
  return { ...p, kind: 'enum', schema };
}

function text(p: Omit<TextParam, 'kind' | 'schema'>): TextParam {
  return {
    ...p,
    kind: 'text',
    schema: z.string().regex(p.pattern, p.patternHint),
  };
}

export const PARAMS = {
  model: oneOf<ModelName>({
    label: 'Model',
    group: 'model',
    help: 'ResNet depth. resnet10/18/34 use basic blocks, resnet26/50/101/152 bottlenecks.',
    options: MODEL_NAMES,
    default: 'resnet18',
  }),
  width: num({
    label: 'Width multiplier',
    group: 'model',
    help: 'Multiplies every channel count (1 = the paper’s ResNet). Small values make quick demos.',
    min: 0.0625,
    max: 4,
    default: 0.25,
    step: 0.0625,
  }),
  input: num({
    label: 'Input size',
    group: 'model',
    help: 'Side of the square network input, in pixels.',
    min: 16,
    max: 512,
    integer: true,
    default: 32,
    unit: 'px',
  }),
  stem: oneOf<StemChoice>({
    label: 'Stem',
    group: 'model',
    help: 'imagenet: 7×7 stride-2 conv + 3×3 max-pool. small: 3×3 stride-1 conv, no pool (for 32×32). auto: small below 64 px.',
    options: STEMS,
    default: 'auto',
  }),
  dataset: oneOf<DatasetName>({
    label: 'Dataset',
    group: 'data',
    help: 'synthetic: 10 classes of procedurally drawn 32×32 shapes, generated from the seed (works offline). The others train on files you load (CIFAR-10/100 binary, MNIST/Fashion-MNIST IDX, a folder of images per class) or download from the Hugging Face Hub; hub: the Hub dataset named below.',
    options: DATASETS,
    default: 'synthetic',
  }),
  source: oneOf<DatasetSource>({
    label: 'Dataset source',
    group: 'data',
    help: 'files: load files in the Data section (or the browser cache). hub: a link downloads the dataset from the Hugging Face Hub when the page opens (once; then the browser cache).',
    options: DATASET_SOURCES,
    default: 'files',
  }),
  hub: text({
    label: 'Hugging Face dataset id',
    group: 'data',
    help: 'With dataset=hub: the Hub dataset to train on, owner/name (one image column and one class-label column).',
    pattern: new RegExp(`^(?:${HUB_ID_SOURCE})?$`),
    patternHint: 'must be a Hugging Face dataset id such as owner/name, or empty',
    default: '',
  }),
  train_size: num({
    label: 'Training images',
    group: 'data',
    help: 'How many training images the synthetic dataset generates (loaded datasets use all theirs).',
    min: 16,
    max: 50000,
    integer: true,
    default: 5000,
  }),
  val_size: num({
    label: 'Validation images',
    group: 'data',
    help: 'How many validation images the synthetic dataset generates (loaded datasets use all theirs).',
    min: 8,
    max: 10000,
    integer: true,
    default: 1000,
  }),
  crop: bool({
    label: 'Random-resized-crop',
    group: 'data',
    help: 'Paper §2.1: a random box of 8%–100% of the area, aspect ratio 3/4–4/3, resized to the input. Off: shorter side to input × 256/224, centre crop (the validation transform).',
    default: true,
  }),
  flip: bool({
    label: 'Horizontal flip',
    group: 'data',
    help: 'Paper §2.1: mirror each training image with probability 0.5.',
    default: true,
  }),
  jitter: bool({
    label: 'Colour jitter',
    group: 'data',
    help: 'Paper §2.1: hue, saturation and brightness each scaled by a factor drawn from U[0.6, 1.4].',
    default: true,
  }),
  pca: bool({
    label: 'PCA lighting noise',
    group: 'data',
    help: 'Paper §2.1: add Σ αᵢλᵢvᵢ with αᵢ ~ N(0, 0.1) along the ImageNet RGB eigenvectors (AlexNet). Normalization by the paper’s mean and std is always applied.',
    default: true,
  }),
  batch: num({
    label: 'Batch size',
    group: 'optimization',
    help: 'Images per step.',
    min: 1,
    max: 1024,
    integer: true,
    default: 128,
  }),
  epochs: num({
    label: 'Epochs',
    group: 'optimization',
    help: 'Passes over the training set.',
    min: 1,
    max: 500,
    integer: true,
    default: 12,
  }),
  lr: num({
    label: 'Learning rate',
    group: 'optimization',
    help: 'Initial learning rate η (for batch 256 when linear scaling is on).',
    min: 0,
    max: 10,
    exclusiveMin: true,
    default: 0.1,
    step: 0.001,
  }),
  wd: num({
    label: 'Weight decay',
    group: 'optimization',
    help: 'L2 weight decay of Nesterov SGD (momentum 0.9).',
    min: 0,
    max: 0.1,
    default: 0.0001,
    step: 0.00001,
  }),
  seed: num({
    label: 'Seed',
    group: 'optimization',
    help: 'Seeds the dataset, initialization, shuffling, augmentation and mixup.',
    min: 0,
    max: 2147483647,
    integer: true,
    default: 1,
  }),
  repeats: num({
    label: 'Repeats (seeds)',
    group: 'optimization',
    help: 'Trains each sweep row, and each run started with Train, this many times with seeds seed, seed + 1, …; the comparison table shows mean ± std and a 95% interval of the paired differences.',
    min: 1,
    max: 10,
    integer: true,
    default: 1,
  }),
  linear_scaling: bool({
    label: 'Linear scaling learning rate',
    group: 'efficient',
    help: 'Paper §3.1: η = lr × batch / 256.',
    default: false,
  }),
  warmup: num({
    label: 'Learning rate warmup',
    group: 'efficient',
    help: 'Paper §3.1: epochs of per-batch linear warmup from 0 (0 = off).',
    min: 0,
    max: 100,
    integer: true,
    default: 0,
    unit: 'epochs',
  }),
  zero_gamma: bool({
    label: 'Zero γ',
    group: 'efficient',
    help: 'Paper §3.1: γ = 0 for the last BN of every residual block.',
    default: false,
  }),
  no_bias_decay: bool({
    label: 'No bias decay',
    group: 'efficient',
    help: 'Paper §3.1: weight decay only on conv and FC weights, not on biases or BN γ/β.',
    default: false,
  }),
  fp16: bool({
    label: 'FP16 (mixed precision)',
    group: 'efficient',
    help: 'Paper §3.2: activations, their gradients and the weights’ working copies are stored as f16 (half the memory); convolutions and the FC layer compute in f16 where the GPU has shader-f16, else in f32; master weights, BN statistics, softmax and the loss stay f32; dynamic loss scaling skips updates whose gradients overflow.',
    default: false,
  }),
  tweak_b: bool({
    label: 'ResNet-B',
    group: 'tweaks',
    help: 'Paper §4.2: stride 2 moves from the first 1×1 to the 3×3 conv of path A. No effect on basic-block ResNets, whose first 3×3 already strides.',
    default: false,
  }),
  tweak_c: bool({
    label: 'ResNet-C',
    group: 'tweaks',
    help: 'Paper §4.2: the 7×7 stem conv becomes three 3×3 convs (32, 32, 64 channels × width).',
    default: false,
  }),
  tweak_d: bool({
    label: 'ResNet-D',
    group: 'tweaks',
    help: 'Paper §4.2: path B of downsampling blocks gets a 2×2 stride-2 average pool before a stride-1 1×1 conv.',
    default: false,
  }),
  cosine: bool({
    label: 'Cosine learning rate decay',
    group: 'refinements',
    help: 'Paper §5.1: η_t = ½(1 + cos(tπ/T))η per batch after warmup. Off = step decay ÷10 at ¼, ½, ¾ of training.',
    default: false,
  }),
  label_smoothing: num({
    label: 'Label smoothing',
    group: 'refinements',
    help: 'Paper §5.2: ε; the true class gets 1 − ε, every other class ε/(K − 1) (0 = off).',
    min: 0,
    max: 0.99,
    default: 0,
    step: 0.01,
  }),
  mixup: num({
    label: 'Mixup',
    group: 'refinements',
    help: 'Paper §5.4: α of λ ~ Beta(α, α) mixing images and label vectors (0 = off; the paper uses 0.2).',
    min: 0,
    max: 10,
    default: 0,
    step: 0.05,
  }),
  distill: text({
    label: 'Knowledge distillation',
    group: 'refinements',
    help: 'Paper §5.3: teacher = a finished run of this session (empty = off).',
    pattern: /^(r[0-9]{1,6})?$/,
    patternHint: 'must be a run id such as r1, or empty',
    default: '',
  }),
  temperature: num({
    label: 'Distillation temperature',
    group: 'refinements',
    help: 'T of Eq. 6 (the paper uses 20).',
    min: 0.1,
    max: 100,
    default: 20,
    step: 0.1,
  }),
  task: oneOf<Task>({
    label: 'Task',
    group: 'transfer',
    help: 'Paper §6.2: segment trains FCN (the backbone dilated in stages 3–4, a fully convolutional head, scores upsampled to every pixel) on the built-in synthetic scenes, scored by pixel accuracy and mIoU; classify trains the ResNet as everywhere else.',
    options: TASKS,
    default: 'classify',
  }),
  backbone: text({
    label: 'Backbone',
    group: 'transfer',
    help: 'Paper §6: start from a finished run of this session (or a loaded checkpoint) instead of random weights; its classifier is replaced for this dataset’s classes (empty = train from scratch).',
    pattern: /^(r[0-9]{1,6})?$/,
    patternHint: 'must be a run id such as r1, or empty',
    default: '',
  }),
  transfer: oneOf<TransferMode>({
    label: 'Transfer',
    group: 'transfer',
    help: 'finetune: every layer trains, the backbone at its learning-rate multiplier; probe: a linear probe, the backbone frozen with its BN in evaluation mode, only the new classifier trains.',
    options: TRANSFER_MODES,
    default: 'finetune',
  }),
  backbone_lr: num({
    label: 'Backbone learning-rate multiplier',
    group: 'transfer',
    help: 'Fine-tuning: the backbone’s layers train at this times the learning rate, the new classifier at the full rate (0 freezes the weights but, unlike a probe, BN still adapts).',
    min: 0,
    max: 1,
    default: 0.1,
    step: 0.01,
  }),
  classes: num({
    label: 'Classes (summary only)',
    group: 'model',
    help: 'Overrides the class count in the architecture summary only (e.g. 1000 to compare with the paper’s ImageNet figures); 0 = the dataset’s.',
    min: 0,
    max: 100000,
    integer: true,
    default: 0,
  }),
  kernels: oneOf<KernelSetting>({
    label: 'GPU kernels',
    group: 'optimization',
    help: 'Convolution kernels. auto: time direct, tiled and stock TensorFlow.js kernels for every layer shape on this GPU and keep the fastest (cached per adapter). direct / tiled / tfjs: force one family where it applies.',
    options: KERNEL_SETTINGS,
    default: 'auto',
  }),
  autorun: bool({
    label: 'Start training on load',
    group: 'optimization',
    help: 'autorun=1 in a link starts training as soon as the page opens.',
    default: false,
  }),
  present: bool({
    label: 'Presentation mode',
    group: 'optimization',
    help: 'present=1: settings collapsed and large charts, for a classroom. Keyboard shortcuts are listed on the page.',
    default: false,
  }),
} as const;

export type ParamKey = keyof typeof PARAMS;
export type AnyParam = BoolParam | NumberParam | EnumParam<string> | TextParam;

type ValueOf<P> = P extends ParamBase<infer T> ? T : never;
export type ExperimentConfig = { [K in ParamKey]: ValueOf<(typeof PARAMS)[K]> };

export const PARAM_KEYS = Object.keys(PARAMS) as ParamKey[];

export function paramSpec(key: ParamKey): AnyParam {
  return PARAMS[key] as AnyParam;
}
