import { describe, expect, it } from 'vitest';
import type { ResNetOptions } from '../architecture/resnet-spec';
import { timmStateDictNames } from './names';

/**
 * Expected names are written out by hand from timm's `ResNet(...).state_dict()` (timm
 * 1.0.x, timm/models/resnet.py) for the same kwargs, never from names.ts's own rules.
 */

function options(overrides: Partial<ResNetOptions>): ResNetOptions {
  return {
    model: 'resnet26',
    width: 0.125,
    input: 64,
    stem: 'imagenet',
    tweakB: true,
    tweakC: true,
    tweakD: true,
    zeroGamma: false,
    classes: 10,
    ...overrides,
  };
}

const bn = (prefix: string) =>
  ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map(
    (s) => `${prefix}.${s}`,
  );

describe('timmStateDictNames', () => {
  it('lists a resnet50d-like network (bottleneck, deep stem, avg_down) as timm does', () => {
    // ResNet(block=Bottleneck, layers=(2,2,2,2), channels=(8,16,32,64), stem_width=4,
    //        stem_type='deep', avg_down=True, num_classes=10): 188 entries.
    const names = timmStateDictNames(options({}));
    const list = names.map((n) => n.timm);
    expect(list).toHaveLength(188);
    expect(list.slice(0, 14)).toEqual([
      'conv1.0.weight',
      'conv1.1.weight',
      'conv1.1.bias',
      'conv1.1.running_mean',
      'conv1.1.running_var',
      'conv1.1.num_batches_tracked',
      'conv1.3.weight',
      'conv1.4.weight',
      'conv1.4.bias',
      'conv1.4.running_mean',
      'conv1.4.running_var',
      'conv1.4.num_batches_tracked',
      'conv1.6.weight',
      'bn1.weight',
    ]);
    expect(list.slice(-8)).toEqual([
      'layer4.1.conv3.weight',
      'layer4.1.bn3.weight',
      'layer4.1.bn3.bias',
      'layer4.1.bn3.running_mean',
      'layer4.1.bn3.running_var',
      'layer4.1.bn3.num_batches_tracked',
      'fc.weight',
      'fc.bias',
    ]);
    expect(list.filter((n) => n.startsWith('layer2.0.downsample'))).toEqual([
      'layer2.0.downsample.1.weight',
      ...bn('layer2.0.downsample.2'),
    ]);
    // layer1.0 keeps its resolution: downsample.0 is an Identity, the conv stays at index 1.
    expect(list.filter((n) => n.startsWith('layer1.0.downsample'))).toEqual([
      'layer1.0.downsample.1.weight',
      ...bn('layer1.0.downsample.2'),
    ]);
    const shapes = new Map(names.map((n) => [n.timm, n.shape]));
    expect(shapes.get('conv1.0.weight')).toEqual([4, 3, 3, 3]);
    expect(shapes.get('conv1.6.weight')).toEqual([8, 4, 3, 3]);
    expect(shapes.get('bn1.weight')).toEqual([8]);
    expect(shapes.get('layer1.0.conv1.weight')).toEqual([8, 8, 1, 1]);
    expect(shapes.get('layer1.0.conv3.weight')).toEqual([32, 8, 1, 1]);
    expect(shapes.get('layer1.0.downsample.1.weight')).toEqual([32, 8, 1, 1]);
    expect(shapes.get('layer4.1.conv1.weight')).toEqual([64, 256, 1, 1]);
    expect(shapes.get('fc.weight')).toEqual([10, 256]);
    expect(shapes.get('bn1.num_batches_tracked')).toEqual([]);
  });

  it('maps our names onto timm names', () => {
    const byTimm = new Map(timmStateDictNames(options({})).map((n) => [n.timm, n.ours]));
    expect(byTimm.get('conv1.0.weight')).toBe('stem.0.conv.weight');
    expect(byTimm.get('conv1.1.weight')).toBe('stem.0.bn.gamma');
    expect(byTimm.get('conv1.4.bias')).toBe('stem.1.bn.beta');
    expect(byTimm.get('bn1.running_var')).toBe('stem.2.bn.running_var');
    expect(byTimm.get('layer1.0.conv2.weight')).toBe('layer1.0.a1.conv.weight');
    expect(byTimm.get('layer1.0.bn3.running_mean')).toBe('layer1.0.a2.bn.running_mean');
    expect(byTimm.get('layer2.0.downsample.1.weight')).toBe('layer2.0.b.conv.weight');
    expect(byTimm.get('layer2.0.downsample.2.weight')).toBe('layer2.0.b.bn.gamma');
    expect(byTimm.get('layer2.0.downsample.2.num_batches_tracked')).toBeNull();
    expect(byTimm.get('fc.weight')).toBe('fc.weight');
  });

  it('lists a plain-stem basic network (resnet18-like, no avg_down) as timm does', () => {
    // ResNet(block=BasicBlock, layers=(2,2,2,2), num_classes=10): 122 entries.
    const list = timmStateDictNames(
      options({ model: 'resnet18', width: 1, tweakC: false, tweakD: false }),
    ).map((n) => n.timm);
    expect(list).toHaveLength(122);
    expect(list.slice(0, 12)).toEqual([
      'conv1.weight',
      ...bn('bn1'),
      'layer1.0.conv1.weight',
      ...bn('layer1.0.bn1'),
    ]);
    expect(list.filter((n) => n.includes('downsample')).slice(0, 5)).toEqual([
      'layer2.0.downsample.0.weight',
      'layer2.0.downsample.1.weight',
      'layer2.0.downsample.1.bias',
      'layer2.0.downsample.1.running_mean',
      'layer2.0.downsample.1.running_var',
    ]);
    expect(list.slice(-8)).toEqual([
      'layer4.1.conv2.weight',
      ...bn('layer4.1.bn2'),
      'fc.weight',
      'fc.bias',
    ]);
  });

  it('names a narrow ResNet-10 with the small stem (stem of 4 channels: no layer1.0.downsample)', () => {
    // timm would give layer1.0 a downsample for its 64-channel stem; load_timm.py rebuilds
    // layer1.0 for 4 (stem_out_channels), and then state_dict() has 74 entries.
    const names = timmStateDictNames(
      options({
        model: 'resnet10',
        width: 0.0625,
        input: 32,
        stem: 'small',
        tweakC: false,
        tweakD: false,
      }),
    );
    expect(names).toHaveLength(74);
    expect(names.some((n) => n.timm.startsWith('layer1.0.downsample'))).toBe(false);
    const shapes = new Map(names.map((n) => [n.timm, n.shape]));
    expect(shapes.get('conv1.weight')).toEqual([4, 3, 3, 3]);
    expect(shapes.get('layer2.0.conv1.weight')).toEqual([8, 4, 3, 3]);
    expect(shapes.get('layer2.0.downsample.0.weight')).toEqual([8, 4, 1, 1]);
  });

  it('names an FCN as the ResNet without fc, then torchvision FCNHead’s classifier.0/1/4', () => {
    const small = {
      model: 'resnet10' as const,
      width: 0.0625,
      input: 32,
      stem: 'small' as const,
      tweakC: false,
      tweakD: false,
    };
    const plain = timmStateDictNames(options(small));
    const fcn = timmStateDictNames(options({ ...small, classes: 11, fcn: true }));
    // The 72 backbone entries (74 less fc.weight and fc.bias), the head's conv and 5 BN entries,
    // then the 1×1 classifier with its bias.
    expect(fcn.slice(0, 72)).toEqual(plain.slice(0, 72));
    expect(fcn.slice(72).map((n) => [n.timm, n.ours, n.shape])).toEqual([
      ['classifier.0.weight', 'head.0.conv.weight', [8, 32, 3, 3]],
      ['classifier.1.weight', 'head.0.bn.gamma', [8]],
      ['classifier.1.bias', 'head.0.bn.beta', [8]],
      ['classifier.1.running_mean', 'head.0.bn.running_mean', [8]],
      ['classifier.1.running_var', 'head.0.bn.running_var', [8]],
      ['classifier.1.num_batches_tracked', null, []],
      ['classifier.4.weight', 'fc.weight', [11, 8, 1, 1]],
      ['classifier.4.bias', 'fc.bias', [11]],
    ]);
  });

  it('keeps the ResNet-A and ResNet-B bottleneck names the same (only strides differ)', () => {
    const a = timmStateDictNames(options({ tweakB: false }));
    const b = timmStateDictNames(options({ tweakB: true }));
    expect(a).toEqual(b);
  });

  it('covers every model of the app with unique names', () => {
    for (const model of [
      'resnet10',
      'resnet18',
      'resnet26',
      'resnet34',
      'resnet50',
      'resnet101',
      'resnet152',
    ] as const) {
      for (const tweakC of [false, true]) {
        for (const tweakD of [false, true]) {
          const names = timmStateDictNames(options({ model, tweakC, tweakD }));
          expect(new Set(names.map((n) => n.timm)).size).toBe(names.length);
          const ours = names.filter((n) => n.ours !== null).map((n) => n.ours);
          expect(new Set(ours).size).toBe(ours.length);
        }
      }
    }
  });
});
