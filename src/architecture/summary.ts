import { listParameters } from './parameters';
import type { ConvBnSpec, ConvSpec, ResNetSpec } from './resnet-spec';

export interface LayerSummary {
  name: string;
  /** Output shape [height, width, channels]. */
  output: [number, number, number];
  params: number;
  macs: number;
}

export interface ArchitectureSummary {
  /** Trainable parameters (conv and FC weights, FC bias, BN γ and β). */
  params: number;
  /** Multiply-accumulates of one forward pass of one image (conv and FC layers). */
  macs: number;
  layers: LayerSummary[];
  output: [number, number, number];
}

export function convOutputSize(
  size: number,
  kernel: number,
  stride: number,
  pad: number,
  dilation = 1,
): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** 2×2 stride-2 average pool with ceil mode (ResNet-D). */
export function avgPoolOutputSize(size: number): number {
  return Math.ceil(size / 2);
}

/** Every conv layer with the side of its (square) input, in network order. */
export function convLayerInputs(
  spec: ResNetSpec,
  input: number,
): { conv: ConvSpec; inputSize: number }[] {
  const result: { conv: ConvSpec; inputSize: number }[] = [];
  summarizeResNet(spec, input, (conv, inputSize) => result.push({ conv, inputSize }));
  return result;
}

export function summarizeResNet(
  spec: ResNetSpec,
  input: number,
  onConv?: (conv: ConvSpec, inputSize: number) => void,
): ArchitectureSummary {
  const layers: LayerSummary[] = [];
  const convLayer = (cb: ConvBnSpec, inSize: number): number => {
    const { conv } = cb;
    onConv?.(conv, inSize);
    const out = convOutputSize(inSize, conv.kernel, conv.stride, conv.pad, conv.dilation);
    const weights = conv.kernel * conv.kernel * conv.inChannels * conv.outChannels;
    layers.push({
      name: conv.name,
      output: [out, out, conv.outChannels],
      params: weights + 2 * cb.bn.channels,
      macs: out * out * weights,
    });
    return out;
  };

  let size = input;
  for (const cb of spec.stem.convs) size = convLayer(cb, size);
  if (spec.stem.maxPool) {
    size = convOutputSize(size, 3, 2, 1);
    const channels = spec.stem.convs[spec.stem.convs.length - 1]!.conv.outChannels;
    layers.push({ name: 'stem.maxpool', output: [size, size, channels], params: 0, macs: 0 });
  }
  for (const block of spec.blocks) {
    let a = size;
    for (const cb of block.pathA) a = convLayer(cb, a);
    if (block.shortcut) {
      let b = size;
      if (block.shortcut.avgPool) {
        b = avgPoolOutputSize(b);
        layers.push({
          name: `${block.name}.b.avgpool`,
          output: [b, b, block.inChannels],
          params: 0,
          macs: 0,
        });
      }
      b = convLayer(block.shortcut.convBn, b);
      if (a !== b) throw new Error(`${block.name}: path A (${a}) and path B (${b}) disagree`);
    }
    size = a;
  }
  const { inFeatures, outFeatures } = spec.fc;
  // An FCN classifies every pixel of its head's output, then upsamples the scores to the input.
  if (spec.head) size = convLayer(spec.head.convBn, size);
  const pixels = spec.head ? size * size : 1;
  layers.push({
    name: spec.fc.name,
    output: spec.head ? [size, size, outFeatures] : [1, 1, outFeatures],
    params: inFeatures * outFeatures + outFeatures,
    macs: pixels * inFeatures * outFeatures,
  });
  const output: [number, number, number] = spec.head
    ? [input, input, outFeatures]
    : [1, 1, outFeatures];
  if (spec.head) layers.push({ name: 'upsample', output, params: 0, macs: 0 });
  const params = listParameters(spec).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const macs = layers.reduce((n, l) => n + l.macs, 0);
  return { params, macs, layers, output };
}
