import { describe, expect, it } from 'vitest';
import {
  allConvBns,
  buildResNetSpec,
  listParameters,
  summarizeResNet,
  xavierLimit,
  type ResNetOptions,
} from '.';

const resnet50: ResNetOptions = {
  model: 'resnet50',
  width: 1,
  input: 224,
  stem: 'auto',
  tweakB: false,
  tweakC: false,
  tweakD: false,
  zeroGamma: false,
  classes: 1000,
};

describe('ResNet builder', () => {
  it('reproduces the sizes of paper Table 5 (ResNet-50 at 224×224, 1000 classes)', () => {
    const rows = [
      { tweaks: {}, gmacs: 3.8 },
      { tweaks: { tweakB: true }, gmacs: 4.1 },
      { tweaks: { tweakB: true, tweakC: true }, gmacs: 4.3 },
      { tweaks: { tweakB: true, tweakC: true, tweakD: true }, gmacs: 4.3 },
    ];
    for (const { tweaks, gmacs } of rows) {
      const s = summarizeResNet(buildResNetSpec({ ...resnet50, ...tweaks }), 224);
      expect(s.params / 1e6).toBeCloseTo(25.6, 0); // "25 M"
      expect(Math.abs(s.macs / 1e9 - gmacs)).toBeLessThan(0.06);
    }
    // Exactly torchvision's ResNet-50 (which is ResNet-B) and ResNet-18 parameter counts.
    expect(summarizeResNet(buildResNetSpec(resnet50), 224).params).toBe(25_557_032);
    const r18 = summarizeResNet(buildResNetSpec({ ...resnet50, model: 'resnet18' }), 224);
    expect(r18.params).toBe(11_689_512);
    expect(r18.macs).toBe(1_814_073_344);
  });

  it('ResNet-B moves the stride from the 1×1 to the 3×3 conv of path A', () => {
    const a = buildResNetSpec(resnet50).blocks[3]!; // first block of stage 2
    const b = buildResNetSpec({ ...resnet50, tweakB: true }).blocks[3]!;
    expect(a.pathA.map((c) => [c.conv.kernel, c.conv.stride])).toEqual([
      [1, 2],
      [3, 1],
      [1, 1],
    ]);
    expect(b.pathA.map((c) => [c.conv.kernel, c.conv.stride])).toEqual([
      [1, 1],
      [3, 2],
      [1, 1],
    ]);
  });

  it('ResNet-B changes nothing in basic-block ResNets', () => {
    const opts = { ...resnet50, model: 'resnet18' as const };
    expect(buildResNetSpec({ ...opts, tweakB: true })).toEqual(buildResNetSpec(opts));
  });

  it('ResNet-C replaces the 7×7 stem by three 3×3 convs of 32, 32, 64 channels', () => {
    const stem = buildResNetSpec({ ...resnet50, tweakC: true }).stem;
    expect(stem.convs.map((c) => [c.conv.kernel, c.conv.stride, c.conv.outChannels])).toEqual([
      [3, 2, 32],
      [3, 1, 32],
      [3, 1, 64],
    ]);
    expect(stem.maxPool).toBe(true);
    const small = buildResNetSpec({ ...resnet50, input: 32, tweakC: true }).stem;
    expect(small.convs.map((c) => c.conv.stride)).toEqual([1, 1, 1]);
    expect(small.maxPool).toBe(false);
  });

  it('ResNet-D average-pools before a stride-1 1×1 conv on path B of downsampling blocks', () => {
    const blocks = buildResNetSpec({ ...resnet50, tweakD: true }).blocks;
    const first = blocks[0]!.shortcut!; // stride 1, channels 64 → 256
    expect(first.avgPool).toBe(false);
    expect(first.convBn.conv.stride).toBe(1);
    const down = blocks[3]!.shortcut!;
    expect(down.avgPool).toBe(true);
    expect([down.convBn.conv.kernel, down.convBn.conv.stride]).toEqual([1, 1]);
    expect(blocks[4]!.shortcut).toBeNull();
  });

  it('layer shapes: stage outputs of ResNet-50-D at 224 and a small-stem ResNet-18 at 32', () => {
    const s = summarizeResNet(
      buildResNetSpec({ ...resnet50, tweakB: true, tweakC: true, tweakD: true }),
      224,
    );
    const outs = Object.fromEntries(s.layers.map((l) => [l.name, l.output]));
    expect(outs['stem.maxpool']).toEqual([56, 56, 64]);
    expect(outs['layer2.0.a2.conv']).toEqual([28, 28, 512]);
    expect(outs['layer2.0.b.avgpool']).toEqual([28, 28, 256]);
    expect(outs['layer4.2.a2.conv']).toEqual([7, 7, 2048]);
    const small = summarizeResNet(
      buildResNetSpec({ ...resnet50, model: 'resnet18', input: 32, width: 0.25, classes: 10 }),
      32,
    );
    const smallOuts = Object.fromEntries(small.layers.map((l) => [l.name, l.output]));
    expect(smallOuts['stem.0.conv']).toEqual([32, 32, 16]);
    expect(smallOuts['layer4.1.a1.conv']).toEqual([4, 4, 128]);
    expect(smallOuts['fc']).toEqual([1, 1, 10]);
  });

  it('zero-γ sits on the last BN of every residual block and nowhere else', () => {
    for (const model of ['resnet18', 'resnet50'] as const) {
      const spec = buildResNetSpec({ ...resnet50, model, zeroGamma: true });
      for (const block of spec.blocks) {
        expect(block.pathA.map((c) => c.bn.zeroGamma)).toEqual(
          block.pathA.map((_, i) => i === block.pathA.length - 1),
        );
        if (block.shortcut) expect(block.shortcut.convBn.bn.zeroGamma).toBe(false);
      }
      expect(spec.stem.convs.every((c) => !c.bn.zeroGamma)).toBe(true);
      const gammas = listParameters(spec).filter((p) => p.role === 'bn-gamma');
      const zeros = gammas.filter((p) => p.init.kind === 'constant' && p.init.value === 0);
      expect(zeros.length).toBe(spec.blocks.length);
    }
    const off = buildResNetSpec(resnet50);
    expect(allConvBns(off).some((c) => c.bn.zeroGamma)).toBe(false);
  });

  it('initializes conv and FC weights with Xavier-uniform, biases and β at 0, γ at 1', () => {
    const params = listParameters(buildResNetSpec({ ...resnet50, model: 'resnet18' }));
    const stem = params.find((p) => p.name === 'stem.0.conv.weight')!;
    expect(stem.shape).toEqual([7, 7, 3, 64]);
    expect(stem.init).toEqual({ kind: 'xavier-uniform', limit: Math.sqrt(6 / (49 * 3 + 49 * 64)) });
    expect(params.find((p) => p.name === 'fc.weight')!.init).toEqual({
      kind: 'xavier-uniform',
      limit: xavierLimit(512, 1000),
    });
    expect(params.find((p) => p.name === 'fc.bias')!.init).toEqual({ kind: 'constant', value: 0 });
    expect(params.find((p) => p.name === 'stem.0.bn.gamma')!.init).toEqual({
      kind: 'constant',
      value: 1,
    });
  });
});

describe('FCN (paper §6.2): dilated stages 3–4 and a fully convolutional head', () => {
  const fcn = (model: ResNetOptions['model']) =>
    buildResNetSpec({ ...resnet50, model, classes: 11, fcn: true });
  const conv = (spec: ReturnType<typeof fcn>, name: string) =>
    allConvBns(spec).find((cb) => cb.conv.name === `${name}.conv`)!.conv;

  it('ResNet-18: stages 3–4 keep stride 1; first blocks dilate as GluonCV (1, 2 then 2, 4), padding = dilation', () => {
    const spec = fcn('resnet18');
    const expected: [string, number, number][] = [
      // [layer, stride, dilation]
      ['layer2.0.a0', 2, 1],
      ['layer3.0.a0', 1, 1],
      ['layer3.0.a1', 1, 2],
      ['layer3.1.a0', 1, 2],
      ['layer3.1.a1', 1, 2],
      ['layer4.0.a0', 1, 2],
      ['layer4.0.a1', 1, 4],
      ['layer4.1.a0', 1, 4],
      ['layer4.1.a1', 1, 4],
      ['layer3.0.b', 1, 1],
    ];
    for (const [name, stride, dilation] of expected) {
      expect(
        [conv(spec, name).stride, conv(spec, name).dilation, conv(spec, name).pad],
        name,
      ).toEqual([stride, dilation, name.endsWith('.b') ? 0 : dilation]);
    }
    // Head: 3×3 conv 512 → 128 channels with BN and ReLU; the classifier 128 → 11 per pixel.
    expect(spec.head!.convBn.conv).toMatchObject({ inChannels: 512, outChannels: 128, kernel: 3 });
    expect(spec.fc).toEqual({ name: 'fc', inFeatures: 128, outFeatures: 11 });
  });

  it('ResNet-50: the dilated 3×3 of each bottleneck, stage 4 at 4 after its first block', () => {
    const spec = fcn('resnet50');
    expect(conv(spec, 'layer3.0.a1').dilation).toBe(1);
    expect(conv(spec, 'layer3.5.a1').dilation).toBe(2);
    expect(conv(spec, 'layer4.0.a1').dilation).toBe(2);
    expect(conv(spec, 'layer4.2.a1').dilation).toBe(4);
    expect(conv(spec, 'layer4.2.a0').dilation).toBe(1);
  });

  it('keeps 1/8 of the input: 224 px gives 28×28 scores, upsampled to 224×224', () => {
    const s = summarizeResNet(fcn('resnet18'), 224);
    const layer = (name: string) => s.layers.find((l) => l.name === name)!;
    expect(layer('layer4.1.a1.conv').output).toEqual([28, 28, 512]);
    expect(layer('head.0.conv').output).toEqual([28, 28, 128]);
    // The per-pixel classifier: 28·28 pixels × 128 × 11 multiply-adds.
    expect(layer('fc')).toMatchObject({ output: [28, 28, 11], macs: 28 * 28 * 128 * 11 });
    expect(s.output).toEqual([224, 224, 11]);
    // ResNet-18's weights (no fc) + head conv 3·3·512·128 + BN 2·128 + fc 128·11 + 11.
    const backbone = 11_689_512 - (512 * 1000 + 1000);
    expect(s.params).toBe(backbone + 9 * 512 * 128 + 2 * 128 + 128 * 11 + 11);
  });
});
