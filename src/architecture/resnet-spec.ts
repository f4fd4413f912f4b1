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
  /**
   * Spacing of the kernel's taps (1: an ordinary convolution). FCN's backbone (§6.2) dilates
   * stages 3–4 instead of striding them, so their features keep 1/8 of the input's resolution.
   */
  dilation: number;
  /** Symmetric zero padding on each side: dilation · floor(kernel / 2), so "same" at stride 1. */
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

/**
 * FCN's head (§6.2; GluonCV's FCNHead without its dropout): a 3×3 conv to a quarter of the
 * backbone's channels, BN and ReLU, then `fc` as a 1×1 convolution (the same weights applied at
 * every pixel), and bilinear upsampling of the class scores to the input size.
 */
export interface SegmentationHeadSpec {
  convBn: ConvBnSpec;
}

export interface ResNetSpec {
  model: ModelName;
  blockKind: BlockKind;
  stem: StemSpec;
  blocks: ResidualBlockSpec[];
  /** FCN's head before the classifier; null for classification. */
  head: SegmentationHeadSpec | null;
  /**
   * The classifier: after global average pooling, or in an FCN at every pixel of the head's
   * output. Transfer draws it (and an FCN's head) afresh.
   */
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
  /**
   * FCN for semantic segmentation (§6.2, as GluonCV's FCN on its dilated ResNet): stages 3 and 4
   * keep stride 1 and dilate their 3×3 convolutions by 2 and 4 instead, and FCN's head (head)
   * classifies every pixel. Absent or false: the classification network.
   */
  fcn?: boolean;
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
/** FCN's dilations by stage index (§6.2): stages 3 and 4 dilate instead of striding. */
const DILATED_STAGES: Record<number, number> = { 2: 2, 3: 4 };
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
    fcn: config.task === 'segment',
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
  dilation = 1,
): ConvBnSpec {
  return {
    conv: {
      name: `${name}.conv`,
      inChannels,
      outChannels,
      kernel,
      stride,
      dilation,
      pad: dilation * Math.floor(kernel / 2),
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

/**
 * The dilations of a block's 3×3 convolutions: [first, second] for a basic block, [first] for a
 * bottleneck's. A dilated stage's first block still uses the previous stage's spacing in its
 * first 3×3 (GluonCV's dilated ResNetV1b: 1 in stage 3, 2 in stage 4), so no tap skips a pixel
 * that the stride it replaces would have kept.
 */
export interface BlockDilation {
  first: number;
  rest: number;
}

function buildBlock(
  name: string,
  kind: BlockKind,
  inChannels: number,
  planes: number,
  stride: number,
  options: ResNetOptions,
  dilation: BlockDilation = { first: 1, rest: 1 },
): ResidualBlockSpec {
  const outChannels = kind === 'basic' ? planes : planes * BOTTLENECK_EXPANSION;
  const pathA =
    kind === 'basic'
      ? [
          convBn(`${name}.a0`, inChannels, planes, 3, stride, true, false, dilation.first),
          convBn(`${name}.a1`, planes, planes, 3, 1, false, options.zeroGamma, dilation.rest),
        ]
      : [
          // ResNet-A strides in the first 1×1 conv; ResNet-B moves the stride to the 3×3.
          convBn(`${name}.a0`, inChannels, planes, 1, options.tweakB ? 1 : stride, true),
          convBn(
            `${name}.a1`,
            planes,
            planes,
            3,
            options.tweakB ? stride : 1,
            true,
            false,
            dilation.first,
          ),
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
    const stageDilation = options.fcn ? (DILATED_STAGES[stage] ?? 1) : 1;
    for (let i = 0; i < count; i++) {
      const stride = i === 0 && stage > 0 && stageDilation === 1 ? 2 : 1;
      const dilation: BlockDilation =
        i === 0
          ? { first: Math.max(1, stageDilation / 2), rest: stageDilation }
          : { first: stageDilation, rest: stageDilation };
      const block = buildBlock(
        `layer${stage + 1}.${i}`,
        kind,
        channels,
        planes,
        stride,
        options,
        dilation,
      );
      blocks.push(block);
      channels = block.outChannels;
    }
  });
  const head = options.fcn
    ? { convBn: convBn('head.0', channels, Math.max(1, Math.floor(channels / 4)), 3, 1, true) }
    : null;
  return {
    model: options.model,
    blockKind: kind,
    stem,
    blocks,
    head,
    fc: {
      name: 'fc',
      inFeatures: head ? head.convBn.conv.outChannels : channels,
      outFeatures: options.classes,
    },
    classes: options.classes,
  };
}

/**
 * Every ConvBn of the network in execution order (stem, then path A and B of each block, then an
 * FCN's head).
 */
export function allConvBns(spec: ResNetSpec): ConvBnSpec[] {
  const list = [...spec.stem.convs];
  for (const block of spec.blocks) {
    list.push(...block.pathA);
    if (block.shortcut) list.push(block.shortcut.convBn);
  }
  if (spec.head) list.push(spec.head.convBn);
  return list;
}
