import {
  buildResNetSpec,
  type ConvBnSpec,
  type ResNetOptions,
  type ResNetSpec,
} from '../architecture/resnet-spec';

/**
 * Our tensor names → timm's ResNet state-dict names (timm/models/resnet.py), in the order
 * `state_dict()` lists them. Module paths in timm:
 *   plain stem  conv1, bn1
 *   deep stem   conv1 = Sequential(0 conv, 1 bn, 2 relu, 3 conv, 4 bn, 5 relu, 6 conv), then bn1
 *   blocks      layer<s>.<i>.conv1/bn1, conv2/bn2 (and conv3/bn3 in bottlenecks)
 *   shortcut    layer<s>.<i>.downsample = Sequential(0 conv, 1 bn), or with avg_down
 *               Sequential(0 AvgPool2d or Identity, 1 conv, 2 bn) — Identity where the block
 *               keeps its resolution (layer1.0 of a bottleneck net), so the indices stay 1 and 2
 *   head        fc.weight [out, in], fc.bias; an FCN's (model-json.ts's TimmFcnHead) instead
 *               classifier.0 (3×3 conv), classifier.1 (BN), classifier.4 (1×1 conv with bias)
 * A BN holds weight (γ), bias (β), running_mean, running_var and num_batches_tracked (int64 scalar).
 */

export type TimmTensorKind =
  | 'conv-weight'
  | 'bn-weight'
  | 'bn-bias'
  | 'bn-running-mean'
  | 'bn-running-var'
  | 'bn-batches-tracked'
  | 'fc-weight'
  | 'fc-bias'
  /** An FCN's classifier: our fc.weight [in, out] as a 1×1 conv [out, in, 1, 1]. */
  | 'classifier-conv-weight';

export interface TimmTensorName {
  timm: string;
  /** Our name (ResNetModel.namedTensors()); null for num_batches_tracked, which we do not keep. */
  ours: string | null;
  kind: TimmTensorKind;
  /** timm's shape: conv OIHW, fc [out, in], BN vectors [C], num_batches_tracked []. */
  shape: number[];
}

interface ModulePair {
  convBn: ConvBnSpec;
  conv: string;
  bn: string;
}

function stemModules(spec: ResNetSpec): ModulePair[] {
  const convs = spec.stem.convs;
  if (convs.length === 1) return [{ convBn: convs[0]!, conv: 'conv1', bn: 'bn1' }];
  if (convs.length === 3) {
    return [
      { convBn: convs[0]!, conv: 'conv1.0', bn: 'conv1.1' },
      { convBn: convs[1]!, conv: 'conv1.3', bn: 'conv1.4' },
      { convBn: convs[2]!, conv: 'conv1.6', bn: 'bn1' },
    ];
  }
  throw new Error(`a stem of ${convs.length} convolutions has no timm equivalent`);
}

function blockModules(spec: ResNetSpec, avgDown: boolean): ModulePair[] {
  const pairs: ModulePair[] = [];
  for (const block of spec.blocks) {
    block.pathA.forEach((convBn, j) => {
      pairs.push({ convBn, conv: `${block.name}.conv${j + 1}`, bn: `${block.name}.bn${j + 1}` });
    });
    if (block.shortcut) {
      const first = avgDown ? 1 : 0;
      pairs.push({
        convBn: block.shortcut.convBn,
        conv: `${block.name}.downsample.${first}`,
        bn: `${block.name}.downsample.${first + 1}`,
      });
    }
  }
  return pairs;
}

function pairNames({ convBn, conv, bn }: ModulePair): TimmTensorName[] {
  const c = convBn.conv;
  const channels = [convBn.bn.channels];
  const ourBn = convBn.bn.name;
  return [
    {
      timm: `${conv}.weight`,
      ours: `${c.name}.weight`,
      kind: 'conv-weight',
      shape: [c.outChannels, c.inChannels, c.kernel, c.kernel],
    },
    { timm: `${bn}.weight`, ours: `${ourBn}.gamma`, kind: 'bn-weight', shape: channels },
    { timm: `${bn}.bias`, ours: `${ourBn}.beta`, kind: 'bn-bias', shape: channels },
    {
      timm: `${bn}.running_mean`,
      ours: `${ourBn}.running_mean`,
      kind: 'bn-running-mean',
      shape: channels,
    },
    {
      timm: `${bn}.running_var`,
      ours: `${ourBn}.running_var`,
      kind: 'bn-running-var',
      shape: channels,
    },
    { timm: `${bn}.num_batches_tracked`, ours: null, kind: 'bn-batches-tracked', shape: [] },
  ];
}

/** Every tensor of timm's state dict for the network of `options`, in state_dict() order. */
export function timmStateDictNames(options: ResNetOptions): TimmTensorName[] {
  const spec = buildResNetSpec(options);
  const pairs = [...stemModules(spec), ...blockModules(spec, options.tweakD)];
  const { inFeatures, outFeatures } = spec.fc;
  if (spec.head) {
    const head = { convBn: spec.head.convBn, conv: 'classifier.0', bn: 'classifier.1' };
    return [
      ...[...pairs, head].flatMap(pairNames),
      {
        timm: 'classifier.4.weight',
        ours: 'fc.weight',
        kind: 'classifier-conv-weight',
        shape: [outFeatures, inFeatures, 1, 1],
      },
      { timm: 'classifier.4.bias', ours: 'fc.bias', kind: 'fc-bias', shape: [outFeatures] },
    ];
  }
  return [
    ...pairs.flatMap(pairNames),
    { timm: 'fc.weight', ours: 'fc.weight', kind: 'fc-weight', shape: [outFeatures, inFeatures] },
    { timm: 'fc.bias', ours: 'fc.bias', kind: 'fc-bias', shape: [outFeatures] },
  ];
}
