import {
  buildResNetSpec,
  type BlockKind,
  type ResNetOptions,
  type ResNetSpec,
} from '../architecture/resnet-spec';
import { MODEL_NAMES, type ModelName } from '../config/params';
import { NORMALIZE_MEAN, NORMALIZE_STD } from '../tricks/preprocessing';

/**
 * model.json of a timm export: the keyword arguments of timm.models.resnet.ResNet, and the keys
 * that tell load_timm.py how to patch the modules where the constructor cannot express our
 * network (see the README, "Checkpoints for PyTorch (timm)"):
 *
 *   small_stem         maxpool → Identity; the plain stem's conv1 becomes
 *                      Conv2d(3, stem_width, 3, 1, 1), the deep stem's conv1.0 gets stride 1.
 *   stem_out_channels  the stem outputs this many channels instead of timm's (64 for the plain
 *                      stem, 2 × stem_width for the deep one): the last stem conv, bn1 and
 *                      layer1.0 are rebuilt for it. Present only when they differ.
 *   stride_in_1x1      bottlenecks stride in conv1 (1×1), not conv2 (3×3): ResNet-A. timm's
 *                      Bottleneck always strides in the 3×3 (ResNet-B). Present only when true.
 *
 * ResNet-B is timm's default bottleneck, ResNet-C is stem_type 'deep' (3×3 convs of stem_width,
 * stem_width, 2 × stem_width; stem_width 32 at width 1, as in timm's resnet50d), ResNet-D is
 * avg_down (AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False) before the 1×1 shortcut).
 */

export const TIMM_FORMAT = 'tricks-playground-timm-resnet';
export const TIMM_FORMAT_VERSION = 1;

export interface TimmKwargs {
  block: BlockKind;
  layers: number[];
  channels: number[];
  stem_width: number;
  stem_type: '' | 'deep';
  avg_down: boolean;
  /** 0 for an FCN: its classifier is the head's 1×1 convolution (`fcn`). */
  num_classes: number;
  /** FCN: 8 dilates stages 3–4 instead of striding them, as ours (timm's dilated ResNet). */
  output_stride?: 8;
}

/**
 * An FCN (task=segment, paper §6.2): the backbone's last feature map feeds `classifier`, laid out
 * as torchvision's FCNHead (0: 3×3 conv to `head_channels`, 1: BN, 2: ReLU, 3: dropout, an
 * identity in eval mode and absent from our training, 4: 1×1 conv with bias to `classes`), and the
 * scores are upsampled bilinearly (align_corners=False) to the input size. With avg_down, timm puts
 * a 2×2 stride-1 average pool in the shortcut of layer3.0 and layer4.0; ours (and GluonCV's) have
 * none: load_timm.py replaces those pools by an identity.
 */
export interface TimmFcnHead {
  head_channels: number;
  classes: number;
}

export interface TimmModelJson {
  format: typeof TIMM_FORMAT;
  format_version: number;
  timm_kwargs: TimmKwargs;
  small_stem: boolean;
  stem_out_channels?: number;
  stride_in_1x1?: boolean;
  fcn?: TimmFcnHead;
  /** [channels, height, width] of the input. */
  input_size: [number, number, number];
  /** Per channel, on pixels scaled to 0..1 (timm's convention): (pixel / 255 − mean) / std. */
  mean: number[];
  std: number[];
  /** Where it came from: the experiment's URL query and run id, when this app wrote it. */
  source?: { app: string; query: string; run: string };
}

/** timm's stem output when nothing is patched: 64 for the plain stem, 2 × stem_width deep. */
function timmStemOutput(kwargs: Pick<TimmKwargs, 'stem_type' | 'stem_width'>): number {
  return kwargs.stem_type === 'deep' ? 2 * kwargs.stem_width : 64;
}

function stageShape(spec: ResNetSpec): { layers: number[]; channels: number[] } {
  const layers: number[] = [];
  const channels: number[] = [];
  for (const block of spec.blocks) {
    const stage = Number(/^layer(\d+)\./.exec(block.name)![1]) - 1;
    if (layers[stage] === undefined) {
      layers[stage] = 0;
      // Bottleneck planes = the first 1×1's output; basic planes = the block's output.
      channels[stage] = block.pathA[0]!.conv.outChannels;
    }
    layers[stage]!++;
  }
  return { layers, channels };
}

/** The architecture part of model.json (no source) for the network of `options`. */
export function timmArchitecture(options: ResNetOptions): Omit<TimmModelJson, 'source'> {
  const spec = buildResNetSpec(options);
  const stem = spec.stem.convs;
  const deep = stem.length === 3;
  const kwargs: TimmKwargs = {
    block: spec.blockKind,
    ...stageShape(spec),
    stem_width: stem[0]!.conv.outChannels,
    stem_type: deep ? 'deep' : '',
    avg_down: options.tweakD,
    num_classes: spec.head ? 0 : spec.classes,
    ...(spec.head ? { output_stride: 8 as const } : {}),
  };
  const stemOutput = stem[stem.length - 1]!.conv.outChannels;
  return {
    format: TIMM_FORMAT,
    format_version: TIMM_FORMAT_VERSION,
    timm_kwargs: kwargs,
    small_stem: !spec.stem.maxPool,
    ...(stemOutput !== timmStemOutput(kwargs) ? { stem_out_channels: stemOutput } : {}),
    ...(spec.blockKind === 'bottleneck' && !options.tweakB ? { stride_in_1x1: true } : {}),
    ...(spec.head
      ? {
          fcn: {
            head_channels: spec.head.convBn.conv.outChannels,
            classes: spec.classes,
          },
        }
      : {}),
    input_size: [3, options.input, options.input],
    mean: NORMALIZE_MEAN.map((m) => m / 255),
    std: NORMALIZE_STD.map((s) => s / 255),
  };
}

export class TimmModelJsonError extends Error {}

const PROBE: ResNetOptions = {
  model: 'resnet18',
  width: 1,
  input: 224,
  stem: 'imagenet',
  tweakB: true,
  tweakC: false,
  tweakD: false,
  zeroGamma: false,
  classes: 1000,
};

/** The app's model with these timm `block` and `layers`. */
function modelOf(block: unknown, layers: unknown): ModelName {
  const key = JSON.stringify(layers);
  const found = MODEL_NAMES.find((model) => {
    const spec = buildResNetSpec({ ...PROBE, model });
    return spec.blockKind === block && JSON.stringify(stageShape(spec).layers) === key;
  });
  if (!found) {
    throw new TimmModelJsonError(
      `model.json: block ${JSON.stringify(block)} with layers ${key} is none of this app's models (${MODEL_NAMES.join(', ')})`,
    );
  }
  return found;
}

function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      );
      if (found) return found;
    }
    return null;
  }
  return a === b ? null : `${path} is ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`;
}

/**
 * Our network for a model.json (written by this app, or by hand for a checkpoint trained in timm).
 * The options are read from the kwargs, then model.json must equal what we would write for them:
 * the first key that differs is named (it is an architecture we cannot build).
 */
export function optionsFromTimmModelJson(json: unknown): ResNetOptions {
  if (typeof json !== 'object' || json === null) {
    throw new TimmModelJsonError('model.json is not a JSON object');
  }
  const given = json as Partial<TimmModelJson>;
  if (given.format !== TIMM_FORMAT) {
    throw new TimmModelJsonError(
      `model.json: format is ${JSON.stringify(given.format)}, expected "${TIMM_FORMAT}"`,
    );
  }
  const kwargs = given.timm_kwargs;
  if (!kwargs || !Array.isArray(kwargs.channels) || typeof kwargs.channels[0] !== 'number') {
    throw new TimmModelJsonError('model.json: timm_kwargs.channels is missing');
  }
  const input = given.input_size?.[1];
  if (typeof input !== 'number') throw new TimmModelJsonError('model.json: input_size is missing');
  const options: ResNetOptions = {
    model: modelOf(kwargs.block, kwargs.layers),
    width: kwargs.channels[0] / 64,
    input,
    stem: given.small_stem ? 'small' : 'imagenet',
    tweakB: !given.stride_in_1x1,
    tweakC: kwargs.stem_type === 'deep',
    tweakD: kwargs.avg_down === true,
    zeroGamma: false,
    classes: given.fcn ? given.fcn.classes : kwargs.num_classes,
    ...(given.fcn ? { fcn: true } : {}),
  };
  checkSameArchitecture(given, timmArchitecture(options));
  return options;
}

/** timm's ImageNet constants (0.485, 0.456, 0.406; the paper's ÷ 255 are 0.48502, 0.45796, 0.4076) are close enough. */
const NORMALIZATION_TOLERANCE = 2e-3;

function checkSameArchitecture(
  given: Partial<TimmModelJson>,
  expected: Omit<TimmModelJson, 'source'>,
): void {
  const { source: _source, mean, std, ...architecture } = given;
  const { mean: ourMean, std: ourStd, ...ours } = expected;
  const difference = firstDifference({ small_stem: false, ...architecture }, ours, '');
  if (difference) {
    throw new TimmModelJsonError(
      `model.json does not describe a network of this app: ${difference}`,
    );
  }
  for (const [key, values, reference] of [
    ['mean', mean, ourMean],
    ['std', std, ourStd],
  ] as const) {
    const close =
      Array.isArray(values) &&
      values.length === reference.length &&
      values.every((v, i) => Math.abs(v - reference[i]!) <= NORMALIZATION_TOLERANCE);
    if (!close) {
      throw new TimmModelJsonError(
        `model.json: ${key} ${JSON.stringify(values)} is not this app's normalization ${JSON.stringify(reference.map((v) => Number(v.toFixed(5))))} (on pixels / 255)`,
      );
    }
  }
}
