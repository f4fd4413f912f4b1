import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Progress, TrainerEvent } from '../../run/events';
import { READBACK_MS, READBACK_STEPS } from '../../run-control/readback-interval';
import { createLossReadback } from './readback';

// Fake losses: scalars on tfjs's CPU backend stand in for the GPU's (no device needed).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const PROGRESS = { step: -1 } as Progress;

function readbackOn(classes = 10) {
  let time = 0;
  const events: TrainerEvent[] = [];
  const readback = createLossReadback({
    classes,
    emit: (event) => events.push(event),
    progress: () => PROGRESS,
    now: () => time,
  });
  let step = 0;
  const push = (loss: number, lossScale?: [number, number]) => {
    step++;
    readback.push({
      loss: tf.scalar(loss),
      lossScale: lossScale ? tf.tensor1d(lossScale) : null,
      point: { step, epoch: 1, lr: step / 10 },
    });
  };
  return { readback, events, push, at: (ms: number) => (time = ms) };
}

describe('loss readback', () => {
  it(`is due every ${READBACK_STEPS} steps, and reads them all in one transfer`, async () => {
    const { readback, events, push } = readbackOn();
    const before = tf.memory().numTensors;
    for (let i = 0; i < READBACK_STEPS - 1; i++) push(2 - i / 10);
    expect(readback.due).toBe(false);
    push(1);
    expect(readback.due).toBe(true);
    expect(tf.memory().numTensors).toBe(before + READBACK_STEPS);
    const transfers = vi.spyOn(tf.Tensor.prototype, 'data');
    expect(await readback.read()).toBeNull();
    expect(transfers).toHaveBeenCalledTimes(1);
    expect(events.map((e) => e.type)).toEqual(['train-points', 'progress']);
    const points = (events[0] as Extract<TrainerEvent, { type: 'train-points' }>).points;
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(points[9]).toEqual({ step: 10, epoch: 1, lr: 1, loss: 1 });
    expect(points[1]!.loss).toBeCloseTo(1.9, 6);
    expect(events[1]).toEqual({ type: 'progress', progress: PROGRESS });
    // Every loss is released once read.
    expect(tf.memory().numTensors).toBe(before);
    expect(readback.due).toBe(false);
    // Nothing queued: nothing to read or report.
    expect(await readback.read()).toBeNull();
    expect(events).toHaveLength(2);
  });

  it(`is due after ${READBACK_MS} ms even with fewer steps (slow steps)`, async () => {
    const { readback, push, at } = readbackOn();
    push(2);
    at(READBACK_MS - 1);
    expect(readback.due).toBe(false);
    at(READBACK_MS);
    expect(readback.due).toBe(true);
    await readback.read();
    push(2);
    expect(readback.due).toBe(false); // the clock restarts at each read
  });

  it('returns the first diverged loss and reports only the points before it', async () => {
    const { readback, events, push } = readbackOn(10);
    const before = tf.memory().numTensors;
    push(2.3);
    push(2.2);
    push(NaN);
    push(2.0);
    expect(await readback.read()).toEqual({ step: 3, loss: NaN, lr: 0.3 });
    // No progress: the run is about to go back to its checkpoint.
    expect(events.map((e) => e.type)).toEqual(['train-points']);
    const points = (events[0] as Extract<TrainerEvent, { type: 'train-points' }>).points;
    expect(points.map((p) => p.step)).toEqual([1, 2]);
    // The losses after the diverged one are released too.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts an exploded or infinite first loss as diverged, with no points at all', async () => {
    const { readback, events, push } = readbackOn(10);
    // 10 000 × ln 10 ≈ 23 026: far beyond any loss a working classifier of 10 classes reaches.
    push(30_000);
    expect(await readback.read()).toMatchObject({ step: 1, loss: 30_000 });
    push(Infinity);
    expect(await readback.read()).toMatchObject({ step: 2, loss: Infinity });
    expect(events).toEqual([]);
  });

  it('reads FP16 loss scales with the losses in the same transfer', async () => {
    const { readback, events, push } = readbackOn();
    const before = tf.memory().numTensors;
    push(2, [65536, 0]);
    push(1.5); // an f32 step among them has no scale
    push(1, [32768, 1]);
    const transfers = vi.spyOn(tf.Tensor.prototype, 'data');
    expect(await readback.read()).toBeNull();
    expect(transfers).toHaveBeenCalledTimes(1);
    const points = (events[0] as Extract<TrainerEvent, { type: 'train-points' }>).points;
    expect(points).toEqual([
      { step: 1, epoch: 1, lr: 0.1, loss: 2, lossScale: 65536, skipped: 0 },
      { step: 2, epoch: 1, lr: 0.2, loss: 1.5 },
      { step: 3, epoch: 1, lr: 0.3, loss: 1, lossScale: 32768, skipped: 1 },
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('releases losses it never reads: discarded ones, and those of a failed read', async () => {
    const { readback, events, push } = readbackOn();
    const before = tf.memory().numTensors;
    push(2, [1024, 0]);
    push(1);
    readback.discard();
    expect(tf.memory().numTensors).toBe(before);
    expect(await readback.read()).toBeNull();

    // A read that fails (as on a lost device) still releases its batch.
    push(2, [1024, 0]);
    vi.spyOn(tf.Tensor.prototype, 'data').mockRejectedValueOnce(new Error('device lost'));
    await expect(readback.read()).rejects.toThrow('device lost');
    expect(tf.memory().numTensors).toBe(before);
    expect(events).toEqual([]);
  });
});
