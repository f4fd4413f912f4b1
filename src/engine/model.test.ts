import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec, summarizeResNet, type ResNetOptions } from '../architecture';
import { createRng } from '../tricks';
import { initNodeBackend } from './backend-node';
import { createResNetModel } from './model';
import { tinyResNetOptions } from './test-utils';

beforeAll(async () => {
  await initNodeBackend();
});

const options = tinyResNetOptions;

describe('ResNet model', () => {
  const cases: [string, Partial<ResNetOptions>][] = [
    ['resnet10 @32', { model: 'resnet10', input: 32 }],
    [
      'resnet10 B+C+D @64',
      { model: 'resnet10', input: 64, tweakB: true, tweakC: true, tweakD: true },
    ],
    ['resnet26 @32', { model: 'resnet26', input: 32 }],
    [
      'resnet26 B+C+D @64',
      { model: 'resnet26', input: 64, tweakB: true, tweakC: true, tweakD: true },
    ],
    ['resnet26 D @32 (odd sizes)', { model: 'resnet26', input: 36, stem: 'small', tweakD: true }],
  ];
  for (const [name, overrides] of cases) {
    it(`${name}: logits [n, classes] in both modes, parameter count = summary`, async () => {
      const opts = options(overrides);
      const spec = buildResNetSpec(opts);
      const model = createResNetModel(spec, opts.input, createRng(1));
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([2, opts.input, opts.input, 3]) as tf.Tensor4D;
      // forward() does not tidy (it runs inside tf.variableGrads): callers do.
      const [logits, ...moments] = tf.tidy(() => {
        const out = model.forward(x, true);
        return [out.logits, ...out.moments.flatMap((m) => [m.mean, m.variance])];
      });
      expect(logits!.shape).toEqual([2, 10]);
      const bnCount = model.parameters.filter((p) => p.spec.role === 'bn-gamma').length;
      expect(moments.length).toBe(2 * bnCount);
      const evalLogits = model.predict(x);
      expect(evalLogits.shape).toEqual([2, 10]);
      const values = await evalLogits.data();
      expect(values.every(Number.isFinite)).toBe(true);
      tf.dispose([x, logits!, evalLogits, ...moments]);
      expect(tf.memory().numTensors).toBe(before);
      const count = model.parameters.reduce((n, p) => n + p.variable.size, 0);
      expect(count).toBe(summarizeResNet(spec, opts.input).params);
      model.dispose();
    });
  }

  it('zero-γ puts γ = 0 exactly on the last BN of each block, 1 elsewhere', async () => {
    for (const model of ['resnet10', 'resnet26'] as const) {
      const spec = buildResNetSpec(options({ model, zeroGamma: true, tweakD: true }));
      const net = createResNetModel(spec, 32, createRng(1));
      const lastBns = new Set(spec.blocks.map((b) => b.pathA.at(-1)!.bn.name + '.gamma'));
      expect(lastBns.size).toBe(spec.blocks.length);
      for (const p of net.parameters.filter((q) => q.spec.role === 'bn-gamma')) {
        const values = await p.variable.data();
        const expected = lastBns.has(p.spec.name) ? 0 : 1;
        expect(
          [...values].every((v) => v === expected),
          p.spec.name,
        ).toBe(true);
      }
      net.dispose();
    }
  });

  it('the seed reproduces the initialization; Xavier values stay within the limit', async () => {
    const spec = buildResNetSpec(options({}));
    const a = createResNetModel(spec, 32, createRng(5));
    const b = createResNetModel(spec, 32, createRng(5));
    const pa = a.parameters[0]!;
    const va = await pa.variable.data();
    expect([...va]).toEqual([...(await b.parameters[0]!.variable.data())]);
    const limit = pa.spec.init.kind === 'xavier-uniform' ? pa.spec.init.limit : 0;
    expect(Math.max(...va.map(Math.abs))).toBeLessThanOrEqual(limit);
    a.dispose();
    b.dispose();
  });

  it('running statistics by value: running = 0.9 · running + 0.1 · batch, from mean 0, var 1', async () => {
    const spec = buildResNetSpec(options({}));
    const model = createResNetModel(spec, 32, createRng(1));
    const stats = () => model.namedTensors().filter((t) => t.name.endsWith('.running_mean'));
    const name = stats()[0]!.name.replace(/\.running_mean$/, '');
    const other = stats()[1]!.name.replace(/\.running_mean$/, '');
    const read = async (bn: string, kind: 'mean' | 'var') =>
      Array.from(
        await model
          .namedTensors()
          .find((t) => t.name === `${bn}.running_${kind}`)!
          .tensor.data(),
      );
    const channels = (await read(name, 'mean')).length;
    const moments = (mean: number, variance: number) => [
      {
        name,
        mean: tf.fill([channels], mean),
        variance: tf.fill([channels], variance),
      },
    ];
    const first = moments(2, 3);
    model.updateRunningStats(first);
    // mean 0.9 · 0 + 0.1 · 2 = 0.2; variance 0.9 · 1 + 0.1 · 3 = 1.2.
    for (const v of await read(name, 'mean')) expect(v).toBeCloseTo(0.2, 6);
    for (const v of await read(name, 'var')) expect(v).toBeCloseTo(1.2, 6);
    const second = moments(1, 0.5);
    model.updateRunningStats(second);
    // mean 0.9 · 0.2 + 0.1 · 1 = 0.28; variance 0.9 · 1.2 + 0.1 · 0.5 = 1.13.
    for (const v of await read(name, 'mean')) expect(v).toBeCloseTo(0.28, 6);
    for (const v of await read(name, 'var')) expect(v).toBeCloseTo(1.13, 6);
    // A layer without moments in the step keeps its statistics.
    for (const v of await read(other, 'mean')) expect(v).toBe(0);
    for (const v of await read(other, 'var')) expect(v).toBe(1);
    tf.dispose([...first, ...second].flatMap((m) => [m.mean, m.variance]));
    model.dispose();
  });

  it('updates BN running statistics with momentum 0.9', async () => {
    const spec = buildResNetSpec(options({}));
    const model = createResNetModel(spec, 32, createRng(1));
    const x = tf.randomNormal([4, 32, 32, 3]) as tf.Tensor4D;
    const beforeLogits = model.predict(x);
    const before = await beforeLogits.data();
    const { logits, moments } = model.forward(x, true);
    const first = moments[0]!;
    const batchMean = await first.mean.data();
    model.updateRunningStats(moments);
    // Running stats start at mean 0: after one update they are 0.1 × the batch mean; eval changes.
    const afterLogits = model.predict(x);
    const after = await afterLogits.data();
    expect(after).not.toEqual(before);
    expect(batchMean.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, logits, beforeLogits, afterLogits]);
    model.dispose();
  });
});
