import * as tf from '@tensorflow/tfjs-core';
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

  it("a training forward's own batch moments, every BN layer: running = 0.9 · (mean 0, var 1) + 0.1 · batch; predict's logits then differ", async () => {
    const spec = buildResNetSpec(options({}));
    const model = createResNetModel(spec, 32, createRng(1));
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const beforeLogits = model.predict(x);
    const before = await beforeLogits.data();
    const { logits, moments } = model.forward(x, true);
    const bnCount = model.parameters.filter((p) => p.spec.role === 'bn-gamma').length;
    expect(moments.length).toBe(bnCount);
    const batch = await Promise.all(
      moments.map(async (m) => ({
        name: m.name,
        mean: Array.from(await m.mean.data()),
        variance: Array.from(await m.variance.data()),
      })),
    );
    model.updateRunningStats(moments);
    const running = new Map(model.namedTensors().map((t) => [t.name, t.tensor]));
    // f32 arithmetic on values of order 1: a few ulps.
    const near = (got: number, want: number) =>
      Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want));
    for (const b of batch) {
      // Real moments of a random batch: not the initial values, or the check would prove little.
      const moved = b.mean.some((v) => Math.abs(v) > 1e-3) && b.variance.some((v) => v !== 1);
      expect(moved, b.name).toBe(true);
      const mean = await running.get(`${b.name}.running_mean`)!.data();
      const variance = await running.get(`${b.name}.running_var`)!.data();
      expect(mean.length).toBe(b.mean.length);
      b.mean.forEach((m, c) => expect(near(mean[c]!, 0.1 * m), `${b.name} mean[${c}]`).toBe(true));
      b.variance.forEach((v, c) =>
        expect(near(variance[c]!, 0.9 + 0.1 * v), `${b.name} var[${c}]`).toBe(true),
      );
    }
    // Evaluation reads the running statistics: its logits are no longer those of mean 0, var 1.
    const afterLogits = model.predict(x);
    expect(Array.from(await afterLogits.data())).not.toEqual(Array.from(before));
    tf.dispose([
      x,
      logits,
      beforeLogits,
      afterLogits,
      ...moments.flatMap((m) => [m.mean, m.variance]),
    ]);
    model.dispose();
  });
});
