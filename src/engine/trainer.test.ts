import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../config';
import { generateSyntheticDataset } from '../data/synthetic';
import type { RunPhase, TrainerEvent, TrainPoint } from '../run/events';
import { initNodeBackend } from './backend-node';
import { createTrainer } from './trainer';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

function collect() {
  const events: TrainerEvent[] = [];
  return {
    events,
    onEvent: (e: TrainerEvent) => events.push(e),
    phases: () => events.flatMap((e) => (e.type === 'phase' ? [e.phase] : [])) as RunPhase[],
    points: () =>
      events.flatMap((e) => (e.type === 'train-points' ? e.points : [])) as TrainPoint[],
  };
}

describe('trainer', () => {
  it('8 steps of a tiny ResNet reduce the training loss; no tensors leak', async () => {
    // One batch of 16 images per epoch, 8 epochs: the same images every step, so the loss must fall.
    const { config } = parseQuery(
      'model=resnet10&width=0.125&batch=16&input=32&train_size=16&val_size=16&epochs=8&crop=0&flip=0&jitter=0&pca=0&lr=0.05&cosine=1',
    );
    const dataset = generateSyntheticDataset({ seed: 1, trainSize: 16, valSize: 16 });
    const log = collect();
    const before = tf.memory().numTensors;
    const started = performance.now();
    const result = await createTrainer({ config, dataset, onEvent: log.onEvent }).run();
    const seconds = (performance.now() - started) / 1000;
    expect(result).not.toBeNull();
    expect(result!.outcome).toBe('finished');
    const points = log.points();
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const losses = points.map((p) => p.loss);
    console.log(
      `trainer: losses ${losses.map((l) => l.toFixed(3)).join(' ')}; ${seconds.toFixed(1)} s, warm-up ${(result!.warmupMs / 1000).toFixed(1)} s`,
    );
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    expect(log.phases()).toEqual(['preparing', 'warmup', 'training', 'finished']);
    const evals = log.events.flatMap((e) => (e.type === 'eval' ? [e.result] : []));
    expect(evals.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(evals[0]!.gaps.length).toBe(16);
    expect(evals[0]!.top5).not.toBeNull();
    const finished = log.events.find((e) => e.type === 'finished');
    expect(finished).toMatchObject({ finalTop1: evals.at(-1)!.top1 });
    expect(tf.memory().numTensors - before).toBe(result!.model.tensorCount());
    result!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('every image once per epoch: 20 images at batch 8 are steps of 8, 8 and 4', async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=8&train_size=20&val_size=8&epochs=2&kernels=direct',
    );
    const dataset = generateSyntheticDataset({ seed: 2, trainSize: 20, valSize: 8 });
    const log = collect();
    const result = await createTrainer({ config, dataset, onEvent: log.onEvent }).run();
    expect(result!.outcome).toBe('finished');
    // ⌈20 / 8⌉ = 3 steps per epoch, the last with the 4 images left.
    expect(log.points().map((p) => [p.step, p.epoch])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
      [6, 2],
    ]);
    const evals = log.events.flatMap((e) => (e.type === 'eval' ? [e.result] : []));
    expect(evals.map((e) => e.imagesSeen)).toEqual([20, 20]);
    result!.dispose();
  });

  it('pause, single steps, resume and stop', async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=8&train_size=64&val_size=8&epochs=50&mixup=0.2&label_smoothing=0.1',
    );
    const dataset = generateSyntheticDataset({ seed: 2, trainSize: 64, valSize: 8 });
    const log = collect();
    const trainer = createTrainer({ config, dataset, onEvent: log.onEvent });
    trainer.pause(); // before the first step: paused at once
    const running = trainer.run();
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(check()).toBe(true);
    };
    const lastStep = () => log.points().at(-1)?.step ?? 0;
    await waitFor(() => trainer.phase === 'paused');
    expect(lastStep()).toBe(0);
    trainer.step();
    await waitFor(() => lastStep() === 1);
    trainer.step();
    await waitFor(() => lastStep() === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(lastStep()).toBe(2);
    expect(trainer.phase).toBe('paused');
    trainer.resume();
    await waitFor(() => lastStep() >= 12);
    trainer.stop();
    const result = await running;
    expect(result!.outcome).toBe('stopped');
    expect(log.phases().at(-1)).toBe('stopped');
    expect(log.phases()).toContain('training');
    result!.dispose();
  });

  it('reports a missing distillation teacher as an error', async () => {
    const { config } = parseQuery('model=resnet10&width=0.0625&batch=8&train_size=16&distill=r1');
    const dataset = generateSyntheticDataset({ seed: 1, trainSize: 16, valSize: 8 });
    const log = collect();
    const result = await createTrainer({ config, dataset, onEvent: log.onEvent }).run();
    expect(result).toBeNull();
    expect(log.events).toContainEqual({
      type: 'error',
      message: 'Distillation teacher r1 is not available',
    });
    expect(log.phases().at(-1)).toBe('failed');
  });
});
