import { beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../config';
import { generateSyntheticDataset } from '../../data/synthetic';
import { SEGMENTATION_CLASSES, sceneDataset } from '../../data/synthetic-scenes';
import type { EvalResult, NamedWeight, TrainerEvent } from '../../run/events';
import { initNodeBackend } from '../backend-node';
import { PREVIEW_MASKS } from '../evaluate-segmentation';
import { readWeights } from '../timm-checkpoint';
import { createTrainer } from '../trainer';
import type { TrainedModel } from '../trainer-types';

/** Semantic segmentation (paper §6.2): FCN on the synthetic scenes, from scratch and transferred. */

beforeAll(async () => {
  await initNodeBackend();
});

const BASE =
  'model=resnet10&width=0.0625&batch=8&train_size=32&val_size=8&epochs=1&lr=0.1&kernels=direct';
const shapes = generateSyntheticDataset({ seed: 1, trainSize: 32, valSize: 8 });
const scenes = sceneDataset({ seed: 1, trainSize: 32, valSize: 8 });

/** Every tensor of a trained model, copied to the CPU. */
const weightsOf = (trained: TrainedModel): Promise<NamedWeight[]> => readWeights(trained.model);

async function train(query: string, backbone: NamedWeight[] | null = null) {
  const events: TrainerEvent[] = [];
  const { config, ignored } = parseQuery(query);
  expect(ignored).toEqual([]);
  const model = await createTrainer({
    config,
    dataset: config.task === 'segment' ? scenes : shapes,
    backbone,
    onEvent: (e) => events.push(e),
  }).run();
  const evals = events.flatMap((e) => (e.type === 'eval' ? [e.result] : []));
  return { model, events, evals };
}

/** Table 9's metrics of an epoch, and the previews, as a user of the page or the CLI gets them. */
function expectSegmentationMetrics(e: EvalResult): void {
  expect(e.pixelAccuracy).toBeGreaterThanOrEqual(0);
  expect(e.pixelAccuracy).toBeLessThanOrEqual(1);
  expect(e.top1).toBe(e.pixelAccuracy);
  expect(e.top5).toBeNull();
  expect(e.mIoU).toBeGreaterThanOrEqual(0);
  expect(e.mIoU).toBeLessThanOrEqual(1);
  expect(Number.isFinite(e.valLoss)).toBe(true);
  expect(e.gaps).toHaveLength(8);
  expect(e.predictedMasks).toHaveLength(PREVIEW_MASKS);
  for (const mask of e.predictedMasks!) {
    expect(mask).toHaveLength(32 * 32);
    expect(mask.every((v) => v >= 0 && v < SEGMENTATION_CLASSES.length)).toBe(true);
  }
}

describe('FCN segmentation on the synthetic scenes', () => {
  it('trains from scratch in f32 and in FP16 (packed storage), reporting pixel accuracy, mIoU and predicted masks', async () => {
    for (const query of [`${BASE}&task=segment`, `${BASE}&task=segment&fp16=1`]) {
      const run = await train(query);
      expect(run.model?.outcome, query).toBe('finished');
      expect(run.evals).toHaveLength(1);
      expectSegmentationMetrics(run.evals[0]!);
      expect(run.model!.model.spec.head).not.toBeNull();
      run.model!.dispose();
    }
  });

  it('fine-tunes from a classification backbone: at multiplier 0 its weights stay, the new head and classifier train', async () => {
    const classifier = await train(BASE);
    const backbone = await weightsOf(classifier.model!);
    const fcn = await train(`${BASE}&task=segment&backbone=r1&backbone_lr=0`, backbone);
    expect(fcn.model?.outcome).toBe('finished');
    expectSegmentationMetrics(fcn.evals[0]!);
    const after = new Map((await weightsOf(fcn.model!)).map((w) => [w.name, w]));
    // The classification network's tensors, fc.* aside, are the FCN's backbone, unchanged.
    for (const w of backbone) {
      if (w.name.startsWith('fc.') || w.name.includes('running_')) continue;
      expect(after.get(w.name)?.values, w.name).toEqual(w.values);
    }
    // The FCN's head and its per-pixel classifier are new: 32 channels → 8 → 11 classes.
    expect(after.get('head.0.conv.weight')).toBeDefined();
    expect(after.get('fc.weight')!.shape).toEqual([8, SEGMENTATION_CLASSES.length]);
    classifier.model!.dispose();
    fcn.model!.dispose();
  });

  it('refuses a segmentation run on a dataset without masks, and a classification run on the scenes', async () => {
    const { config } = parseQuery(`${BASE}&task=segment`);
    const messages: string[] = [];
    const onEvent = (e: TrainerEvent) => {
      if (e.type === 'error') messages.push(e.message);
    };
    await createTrainer({ config, dataset: shapes, onEvent }).run();
    await createTrainer({ config: parseQuery(BASE).config, dataset: scenes, onEvent }).run();
    expect(messages).toEqual([
      'Segmentation needs per-pixel labels, and synthetic has none',
      'synthetic-scenes is a segmentation dataset: train it with task=segment',
    ]);
  });
});
