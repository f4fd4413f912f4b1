import { beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../config';
import { generateSyntheticDataset } from '../../data/synthetic';
import type { Checkpoint, NamedWeight, TrainerEvent } from '../../run/events';
import { initNodeBackend } from '../backend-node';
import { readWeights } from '../timm-checkpoint';
import { createTrainer } from '../trainer';
import type { TrainedModel } from '../trainer-types';

/** Transfer learning (paper §6): a new run starts from a finished run's backbone. */

beforeAll(async () => {
  await initNodeBackend();
});

const BASE =
  'model=resnet10&width=0.0625&batch=8&train_size=32&val_size=8&epochs=1&lr=0.1&kernels=direct';
const source = generateSyntheticDataset({ seed: 1, trainSize: 32, valSize: 8 });
// "Another dataset": other images of the generator.
const target = generateSyntheticDataset({ seed: 2, trainSize: 32, valSize: 8 });

/** Every tensor of a trained model, copied to the CPU. */
const weightsOf = (trained: TrainedModel): Promise<NamedWeight[]> => readWeights(trained.model);

async function train(query: string, backbone: NamedWeight[] | null) {
  const events: TrainerEvent[] = [];
  const { config } = parseQuery(query);
  const model = await createTrainer({
    config,
    dataset: backbone ? target : source,
    backbone,
    onEvent: (e) => events.push(e),
  }).run();
  return { model: model!, events };
}

const byName = (weights: NamedWeight[]) => new Map(weights.map((w) => [w.name, w.values]));

describe('transfer from a backbone', () => {
  it('a linear probe leaves every backbone weight and BN statistic bit-identical and trains only the classifier', async () => {
    const teacher = await train(BASE, null);
    const backbone = await weightsOf(teacher.model);
    const probe = await train(`${BASE}&backbone=r1&transfer=probe&seed=5`, backbone);
    expect(probe.model.outcome).toBe('finished');
    const after = byName(await weightsOf(probe.model));
    let classifierChanged = false;
    for (const w of backbone) {
      if (w.name.startsWith('fc.')) {
        classifierChanged ||= after.get(w.name)!.some((v, i) => v !== w.values[i]);
        continue;
      }
      expect(after.get(w.name), w.name).toEqual(w.values);
    }
    expect(classifierChanged).toBe(true);
    teacher.model.dispose();
    probe.model.dispose();
  });

  it('fine-tuning starts from the backbone: at multiplier 0 the weights stay, the BN statistics adapt', async () => {
    const teacher = await train(BASE, null);
    const backbone = await weightsOf(teacher.model);
    const tuned = await train(`${BASE}&backbone=r1&backbone_lr=0`, backbone);
    expect(tuned.model.outcome).toBe('finished');
    const after = byName(await weightsOf(tuned.model));
    const conv = backbone.find((w) => w.name.endsWith('.conv.weight'))!;
    expect(after.get(conv.name)).toEqual(conv.values);
    const mean = backbone.find((w) => w.name.endsWith('running_mean'))!;
    expect(after.get(mean.name)).not.toEqual(mean.values);
    teacher.model.dispose();
    tuned.model.dispose();
  });

  it('a probe resumed from its checkpoint needs no backbone and keeps it frozen', async () => {
    const teacher = await train(BASE, null);
    const backbone = await weightsOf(teacher.model);
    const query = `${BASE.replace('epochs=1', 'epochs=2')}&backbone=r1&transfer=probe`;
    const checkpoints: Checkpoint[] = [];
    const first = await createTrainer({
      config: parseQuery(query).config,
      dataset: target,
      backbone,
      onEvent: () => {},
      onCheckpoint: (c) => checkpoints.push(c),
    }).run();
    const afterEpoch1 = checkpoints.find((c) => c.epoch === 1)!;
    const resumed = await createTrainer({
      config: parseQuery(query).config,
      dataset: target,
      resumeFrom: afterEpoch1,
      onEvent: () => {},
    }).run();
    expect(resumed!.outcome).toBe('finished');
    const after = byName(await weightsOf(resumed!));
    for (const w of backbone) {
      if (!w.name.startsWith('fc.')) expect(after.get(w.name), w.name).toEqual(w.values);
    }
    for (const m of [teacher.model, first!, resumed!]) m.dispose();
  });

  it('a backbone of another width is refused, naming the tensor and both shapes', async () => {
    const teacher = await train(BASE, null);
    const backbone = await weightsOf(teacher.model);
    const wider = await train(
      `${BASE.replace('width=0.0625', 'width=0.125')}&backbone=r1`,
      backbone,
    );
    const error = wider.events.find((e) => e.type === 'error');
    expect(error && error.type === 'error' ? error.message : '').toMatch(
      /^Backbone r1's \S+\.weight is \[\d+, \d+, \d+, \d+\], this run's \[\d+, \d+, \d+, \d+\]: another width or depth/,
    );
    teacher.model.dispose();
    wider.model?.dispose();
  });
});
