import type { ExperimentConfig, ModelName } from '../config/params';

/**
 * A pure description of a ResNet: every variant (depth, block type, width, stem, tweaks B/C/D,
 * zero-γ placement) comes from flags, in the manner of timm's single configurable ResNet.
 * The engine builds tensors from this; the summary counts parameters and multiply-adds from it.
 */

export type BlockKind = 'basic' | 'bottleneck';

export interface ConvSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  /** Symmetric zero padding on each side (PyTorch/GluonCV convention: floor(kernel / 2)). */
  pad: number;
}

export interface BatchNormSpec {
  name: string;
  channels: number;
  /** Initialize γ to 0 (the paper's zero-γ trick: last BN of each residual block). */
  zeroGamma: boolean;
}

/** conv → BN, optionally followed by ReLU. */
export interface ConvBnSpec {
  conv: ConvSpec;
  bn: BatchNormSpec;
  relu: boolean;
}

export interface ShortcutSpec {
  /** ResNet-D: a 2×2 stride-2 average pool (ceil mode, padding not counted) before the conv. */
  avgPool: boolean;
  convBn: ConvBnSpec;
}

export interface ResidualBlockSpec {
  name: string;
  kind: BlockKind;
  stride: number;
  inChannels: number;
  outChannels: number;
  /** Path A; the last entry has relu false: ReLU comes after the addition. */
  pathA: ConvBnSpec[];
  /** Path B; null means identity. */
  shortcut: ShortcutSpec | null;
}

export interface StemSpec {
  convs: ConvBnSpec[];
  /** 3×3 stride-2 max-pool with padding 1 after the convs (ImageNet stem). */
  maxPool: boolean;
}

export interface ResNetSpec {
  model: ModelName;
  blockKind: BlockKind;
  stem: StemSpec;
  blocks: ResidualBlockSpec[];
  fc: { name: string; inFeatures: number; outFeatures: number };
  classes: number;
}

export interface ResNetOptions {
  model: ModelName;
  width: number;
  input: number;
  stem: ExperimentConfig['stem'];
  tweakB: boolean;
  tweakC: boolean;
  tweakD: boolean;
  zeroGamma: boolean;
  classes: number;
}

const DEPTHS: Record<ModelName, { kind: BlockKind; blocks: [number, number, number, number] }> = {
  resnet10: { kind: 'basic', blocks: [1, 1, 1, 1] },
  resnet18: { kind: 'basic', blocks: [2, 2, 2, 2] },
  resnet26: { kind: 'bottleneck', blocks: [2, 2, 2, 2] },
  resnet34: { kind: 'basic', blocks: [3, 4, 6, 3] },
  resnet50: { kind: 'bottleneck', blocks: [3, 4, 6, 3] },
  resnet101: { kind: 'bottleneck', blocks: [3, 4, 23, 3] },
  resnet152: { kind: 'bottleneck', blocks: [3, 8, 36, 3] },
};

const STAGE_WIDTHS = [64, 128, 256, 512] as const;
const BOTTLENECK_EXPANSION = 4;
/** Inputs smaller than this use the small stem when the stem is 'auto'. */
export const SMALL_STEM_BELOW = 64;

export function blockKindOf(model: ModelName): BlockKind {
  return DEPTHS[model].kind;
}

export function scaleChannels(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

export function usesSmallStem(stem: ResNetOptions['stem'], input: number): boolean {
  return stem === 'small' || (stem === 'auto' && input < SMALL_STEM_BELOW);
}

export function resnetOptionsFromConfig(config: ExperimentConfig, classes: number): ResNetOptions {
  return {
    model: config.model,
    width: config.width,
    input: config.input,
    stem: config.stem,
    tweakB: config.tweak_b,
    tweakC: config.tweak_c,
    tweakD: config.tweak_d,
    zeroGamma: config.zero_gamma,
    classes,
  };
}

function convBn(
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
  relu: boolean,
  zeroGamma = false,
): ConvBnSpec {
  return {
    conv: {
      name: `${name}.conv`,
      inChannels,
      outChannels,
      kernel,
      stride,
      pad: Math.floor(kernel / 2),
    },
    bn: { name: `${name}.bn`, channels: outChannels, zeroGamma },
    relu,
  };
}

function buildStem(options: ResNetOptions): StemSpec {
  const small = usesSmallStem(options.stem, options.input);
  const stemWidth = scaleChannels(64, options.width);
  if (options.tweakC) {
    const c = scaleChannels(32, options.width);
    const firstStride = small ? 1 : 2;
    return {
      convs: [
        convBn('stem.0', 3, c, 3, firstStride, true),
        convBn('stem.1', c, c, 3, 1, true),
        convBn('stem.2', c, stemWidth, 3, 1, true),
      ],
      maxPool: !small,
    };
  }
  return small
    ? { convs: [convBn('stem.0', 3, stemWidth, 3, 1, true)], maxPool: false }
    : { convs: [convBn('stem.0', 3, stemWidth, 7, 2, true)], maxPool: true };
}

function buildBlock(
  name: string,
  kind: BlockKind,
  inChannels: number,
  planes: number,
  stride: number,
  options: ResNetOptions,
): ResidualBlockSpec {
  const outChannels = kind === 'basic' ? planes : planes * BOTTLENECK_EXPANSION;
  const pathA =
    kind === 'basic'
      ? [
          convBn(`${name}.a0`, inChannels, planes, 3, stride, true),
          convBn(`${name}.a1`, planes, planes, 3, 1, false, options.zeroGamma),
        ]
      : [
          // ResNet-A strides in the first 1×1 conv; ResNet-B moves the stride to the 3×3.
          convBn(`${name}.a0`, inChannels, planes, 1, options.tweakB ? 1 : stride, true),
          convBn(`${name}.a1`, planes, planes, 3, options.tweakB ? stride : 1, true),
          convBn(`${name}.a2`, planes, outChannels, 1, 1, false, options.zeroGamma),
        ];
  let shortcut: ShortcutSpec | null = null;
  if (stride !== 1 || inChannels !== outChannels) {
    const avgPool = options.tweakD && stride !== 1;
    shortcut = {
      avgPool,
      convBn: convBn(`${name}.b`, inChannels, outChannels, 1, avgPool ? 1 : stride, false),
    };
  }
  return { name, kind, stride, inChannels, outChannels, pathA, shortcut };
}

export function buildResNetSpec(options: ResNetOptions): ResNetSpec {
  const { kind, blocks: counts } = DEPTHS[options.model];
  const stem = buildStem(options);
  const blocks: ResidualBlockSpec[] = [];
  let channels = stem.convs[stem.convs.length - 1]!.conv.outChannels;
  counts.forEach((count, stage) => {
    const planes = scaleChannels(STAGE_WIDTHS[stage]!, options.width);
    for (let i = 0; i < count; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const block = buildBlock(`layer${stage + 1}.${i}`, kind, channels, planes, stride, options);
      blocks.push(block);
      channels = block.outChannels;
    }
  });
  return {
    model: options.model,
    blockKind: kind,
    stem,
    blocks,
    fc: { name: 'fc', inFeatures: channels, outFeatures: options.classes },
    classes: options.classes,
  };
}

/** Every ConvBn of the network in execution order (stem, then path A and B of each block). */
export function allConvBns(spec: ResNetSpec): ConvBnSpec[] {
  const list = [...spec.stem.convs];
  for (const block of spec.blocks) {
    list.push(...block.pathA);
    if (block.shortcut) list.push(block.shortcut.convBn);
  }
  return list;
}
