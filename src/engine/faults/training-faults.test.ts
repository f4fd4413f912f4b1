import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../config';
import { NO_FAILPOINTS, parseFailpoints } from '../../config/failpoints';
import { generateSyntheticDataset } from '../../data/synthetic';
import type { RunPhase, TrainerEvent, TrainPoint } from '../../run/events';
import { initNodeBackend } from '../backend-node';
import { CONV_KERNEL_IDS } from '../kernels/conv-registry';
import { createTrainer, type TrainedModel, type Trainer } from '../trainer';
import { setFailpoints } from './failpoints';

/**
 * Training through injected faults (failpoints.ts): a kernel the compiler rejects or that gives
 * wrong results is dropped and the run finishes; a GPU error inside a step ends the run as
 * failed, naming the error and the step, with the last good checkpoint kept.
 */

beforeAll(async () => {
  expect((await initNodeBackend()).backend).toBe('webgpu');
});

afterEach(() => setFailpoints(NO_FAILPOINTS));

/** 4 steps per epoch of a width-1/16 ResNet-10 on 16 synthetic images. */
const QUERY =
  'model=resnet10&width=0.0625&batch=4&train_size=16&val_size=4&crop=0&flip=0&jitter=0&pca=0';

async function train(
  query: string,
  failpoints: string,
): Promise<{ trained: TrainedModel | null; trainer: Trainer; events: TrainerEvent[] }> {
  setFailpoints(parseFailpoints(failpoints, CONV_KERNEL_IDS).failpoints);
  const { config } = parseQuery(`${QUERY}&${query}`);
  const dataset = generateSyntheticDataset({ seed: 1, trainSize: 16, valSize: 4 });
  const events: TrainerEvent[] = [];
  const trainer = createTrainer({ config, dataset, onEvent: (e) => events.push(e) });
  const trained = await trainer.run();
  trained?.dispose();
  return { trained, trainer, events };
}

const notices = (events: TrainerEvent[]) =>
  events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
const errors = (events: TrainerEvent[]) =>
  events.flatMap((e) => (e.type === 'error' ? [e.message] : []));
const phases = (events: TrainerEvent[]) =>
  events.flatMap((e) => (e.type === 'phase' ? [e.phase] : [])) as RunPhase[];
const points = (events: TrainerEvent[]) =>
  events.flatMap((e) => (e.type === 'train-points' ? e.points : [])) as TrainPoint[];

describe('training through injected GPU faults', () => {
  it('compile:tiled-128x16 with kernels=tiled: the kernel is replaced, the user told, the run finishes', async () => {
    const { trained, events } = await train('epochs=1&kernels=tiled', 'compile:tiled-128x16');
    expect(trained?.outcome).toBe('finished');
    expect(notices(events)).toEqual([
      expect.stringMatching(
        /^tiled-128x16 does not compile on this GPU \(.+\); the next kernel runs in its place\.$/,
      ),
    ]);
    expect(points(events)).toHaveLength(4);
  });

  it('wrong:direct with kernels=auto: the tuner excludes it, the user is told, the run finishes', async () => {
    const { trained, events } = await train('epochs=1&kernels=auto', 'wrong:direct');
    expect(trained?.outcome).toBe('finished');
    expect(notices(events)).toEqual([
      expect.stringMatching(/^direct gives wrong results on this GPU \(.*\); not used there\.$/),
    ]);
    expect(points(events).every((p) => Number.isFinite(p.loss))).toBe(true);
  });

  it('gpu-error:2 (inside the error scopes of the first steps): failed at step 2, the start checkpoint kept', async () => {
    const { trained, trainer, events } = await train('epochs=2&kernels=direct', 'gpu-error:2');
    expect(trained?.outcome).toBe('failed');
    expect(phases(events).at(-1)).toBe('failed');
    const [message] = errors(events);
    expect(message).toMatch(/^GPU validation error while running training step 2: /);
    expect(message).toContain('failpoint gpu-error:2');
    expect(message).toMatch(/The checkpoint of step 0 is kept\.$/);
    expect(trainer.checkpoint?.step).toBe(0);
    // No loss of the rejected step, or of any later one, is reported.
    expect(points(events).every((p) => p.step < 2)).toBe(true);
  });

  it('gpu-error:6 (after them, caught by the uncapturederror listener): failed, the epoch-1 checkpoint kept', async () => {
    const { trained, trainer, events } = await train('epochs=3&kernels=direct', 'gpu-error:6');
    expect(trained?.outcome).toBe('failed');
    const [message] = errors(events);
    expect(message).toMatch(/^GPU validation error while training: /);
    expect(message).toContain('failpoint gpu-error:6');
    expect(message).toMatch(/The checkpoint of step 4 is kept\.$/);
    // The epoch-1 checkpoint (step 4) survives; no later one was taken from garbage.
    expect(trainer.checkpoint?.step).toBe(4);
    expect(points(events).every((p) => p.step < 6)).toBe(true);
  });
});
