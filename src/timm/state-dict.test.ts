import { describe, expect, it } from 'vitest';
import { listParameters } from '../architecture/parameters';
import { allConvBns, buildResNetSpec, type ResNetOptions } from '../architecture/resnet-spec';
import type { NamedWeight } from '../run/events';
import { hwioToOihw, nhwcToNchw, oihwToHwio, transpose2d } from './layout';
import { timmStateDictNames } from './names';
import { fromTimmStateDict, toTimmStateDict } from './state-dict';

const OPTIONS: ResNetOptions = {
  model: 'resnet26',
  width: 0.0625,
  input: 32,
  stem: 'small',
  tweakB: false,
  tweakC: true,
  tweakD: true,
  zeroGamma: false,
  classes: 10,
};

/** Our model's tensors (as ResNetModel.namedTensors() names them) with distinct values. */
function ourWeights(options: ResNetOptions): NamedWeight[] {
  const spec = buildResNetSpec(options);
  const weights: NamedWeight[] = listParameters(spec).map((p) => ({
    name: p.name,
    shape: p.shape,
    values: new Float32Array(0),
  }));
  for (const { bn } of allConvBns(spec)) {
    weights.push({
      name: `${bn.name}.running_mean`,
      shape: [bn.channels],
      values: new Float32Array(0),
    });
    weights.push({
      name: `${bn.name}.running_var`,
      shape: [bn.channels],
      values: new Float32Array(0),
    });
  }
  let next = 0;
  return weights.map((w) => ({
    ...w,
    values: Float32Array.from({ length: w.shape.reduce((a, b) => a * b, 1) }, () => next++ * 0.001),
  }));
}

describe('layouts', () => {
  it('moves an HWIO element to its OIHW place and back', () => {
    const shape = [3, 2, 4, 5]; // h, w, i, o
    const values = Float32Array.from({ length: 120 }, (_, i) => i);
    const oihw = hwioToOihw(values, shape);
    // HWIO [y=2, x=1, c=3, k=4] → OIHW [4, 3, 2, 1]
    expect(oihw[((4 * 4 + 3) * 3 + 2) * 2 + 1]).toBe(values[((2 * 2 + 1) * 4 + 3) * 5 + 4]);
    expect(oihwToHwio(oihw, [5, 4, 3, 2])).toEqual(values);
    expect(transpose2d(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3)).toEqual(
      Float32Array.of(1, 4, 2, 5, 3, 6),
    );
    // NHWC [1, 1, 2, 3] → NCHW [1, 3, 1, 2]
    expect(nhwcToNchw(Float32Array.of(1, 2, 3, 4, 5, 6), [1, 1, 2, 3])).toEqual(
      Float32Array.of(1, 4, 2, 5, 3, 6),
    );
  });
});

describe('timm state dict', () => {
  it('maps every tensor of our model, and only those', () => {
    const ours = new Set(ourWeights(OPTIONS).map((w) => w.name));
    const mapped = timmStateDictNames(OPTIONS).flatMap((n) => (n.ours ? [n.ours] : []));
    expect(new Set(mapped)).toEqual(ours);
  });

  it('converts to timm layouts and back without changing a value', () => {
    const weights = ourWeights(OPTIONS);
    const tensors = toTimmStateDict(OPTIONS, weights, 123);
    const fc = tensors.find((t) => t.name === 'fc.weight')!;
    expect(fc.shape).toEqual([10, 128]);
    const ourFc = weights.find((w) => w.name === 'fc.weight')!;
    // timm fc.weight[out=3, in=5] = our fc.weight[in=5, out=3]
    expect(fc.data[3 * 128 + 5]).toBe(ourFc.values[5 * 10 + 3]);
    const tracked = tensors.find((t) => t.name === 'bn1.num_batches_tracked')!;
    expect(tracked.dtype).toBe('I64');
    expect(tracked.data[0]).toBe(123n);
    const back = fromTimmStateDict(OPTIONS, tensors);
    const byName = new Map(back.map((w) => [w.name, w]));
    for (const w of weights) {
      expect(byName.get(w.name)?.shape).toEqual(w.shape);
      expect(byName.get(w.name)?.values).toEqual(w.values);
    }
  });

  it('refuses a state dict that does not match, naming the first mismatch', () => {
    const tensors = toTimmStateDict(OPTIONS, ourWeights(OPTIONS), 0);
    const without = tensors.filter((t) => t.name !== 'layer2.0.conv2.weight');
    expect(() => fromTimmStateDict(OPTIONS, without)).toThrow(
      'the checkpoint lacks layer2.0.conv2.weight',
    );
    const reshaped = tensors.map((t) =>
      t.name === 'conv1.3.weight' ? { ...t, shape: [2, 4, 3, 3] } : t,
    );
    expect(() => fromTimmStateDict(OPTIONS, reshaped)).toThrow(
      'conv1.3.weight has shape [2,4,3,3], expected [2,2,3,3]',
    );
    const extra = [
      ...tensors,
      { name: 'head.weight', dtype: 'F32' as const, shape: [1], data: Float32Array.of(0) },
    ];
    expect(() => fromTimmStateDict(OPTIONS, extra)).toThrow(
      'the checkpoint has head.weight, which the network lacks',
    );
    const retyped = tensors.map((t) =>
      t.name === 'bn1.num_batches_tracked'
        ? { ...t, dtype: 'F32' as const, data: Float32Array.of(0) }
        : t,
    );
    expect(() => fromTimmStateDict(OPTIONS, retyped)).toThrow(
      'bn1.num_batches_tracked is F32, expected I64',
    );
    // Another architecture: the plain stem has conv1.weight where this one has conv1.0.weight.
    expect(() => fromTimmStateDict({ ...OPTIONS, tweakC: false }, tensors)).toThrow(
      'the checkpoint lacks conv1.weight',
    );
  });

  it('refuses weights of another network on export', () => {
    const weights = ourWeights(OPTIONS);
    expect(() => toTimmStateDict({ ...OPTIONS, width: 0.125 }, weights, 0)).toThrow(/has shape/);
    expect(() => toTimmStateDict(OPTIONS, weights.slice(1), 0)).toThrow(
      /belong to another network/,
    );
  });
});
