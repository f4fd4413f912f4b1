import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec, resnetOptionsFromConfig } from '../architecture';
import { parseQuery } from '../config';
import { generateSyntheticDataset } from '../data/synthetic';
import { createRng } from '../tricks';
import type { Checkpoint, RunPhase, TrainerEvent, TrainPoint } from '../run/events';
import { webgpuDevice } from './backend';
import { initNodeBackend, recreateNodeBackend } from './backend-node';
import { restoreCheckpoint, takeCheckpoint } from './checkpoint';
import { createResNetModel } from './model';
import { createNagOptimizer } from './optimizer';
import { createRecoveringTrainer } from './recovering-trainer';
import { maxAbsDiff } from './test-utils';
import { createTrainer } from './trainer';

beforeAll(async () => {
  expect((await initNodeBackend()).backend).toBe('webgpu');
});

function collect() {
  const events: TrainerEvent[] = [];
  return {
    events,
    onEvent: (e: TrainerEvent) => events.push(e),
    phases: () => events.flatMap((e) => (e.type === 'phase' ? [e.phase] : [])) as RunPhase[],
    points: () =>
      events.flatMap((e) => (e.type === 'train-points' ? e.points : [])) as TrainPoint[],
    of: <T extends TrainerEvent['type']>(type: T) =>
      events.filter((e): e is Extract<TrainerEvent, { type: T }> => e.type === type),
  };
}

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 6000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

const valuesOf = (checkpoint: Checkpoint) =>
  Object.fromEntries(checkpoint.tensors.map((t) => [t.name, t.values]));

describe('checkpoints', () => {
  it('copy parameters, BN statistics and velocities to the CPU and restore them without leaks', async () => {
    const { config } = parseQuery('model=resnet10&width=0.0625');
    const spec = buildResNetSpec(resnetOptionsFromConfig(config, 10));
    const model = createResNetModel(spec, 32, createRng(1));
    const optimizer = createNagOptimizer(model.parameters, 1e-4, false);
    const before = tf.memory().numTensors;
    const saved = (await takeCheckpoint(model, optimizer, {
      step: 0,
      epoch: 0,
      elapsedSeconds: 0,
    }))!;
    expect(saved.tensors.length).toBe(model.tensorCount() + optimizer.tensorCount());
    expect(saved.tensors.some((t) => t.name.endsWith('.velocity'))).toBe(true);
    expect(saved.tensors.some((t) => t.name.endsWith('.running_var'))).toBe(true);
    // Change everything, then restore.
    tf.tidy(() => {
      for (const { tensor } of model.namedTensors()) {
        (tensor as tf.Variable).assign(tf.fill(tensor.shape, 3));
      }
      for (const { variable } of optimizer.namedVelocities()) {
        variable.assign(tf.fill(variable.shape, 2));
      }
    });
    restoreCheckpoint(model, optimizer, saved);
    const again = (await takeCheckpoint(model, optimizer, {
      step: 0,
      epoch: 0,
      elapsedSeconds: 0,
    }))!;
    const a = valuesOf(saved);
    for (const t of again.tensors) expect(maxAbsDiff(t.values, a[t.name]!)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    // A non-finite state is no good checkpoint.
    tf.tidy(() =>
      model.parameters[0]!.variable.assign(tf.fill(model.parameters[0]!.variable.shape, NaN)),
    );
    expect(
      await takeCheckpoint(model, optimizer, { step: 1, epoch: 1, elapsedSeconds: 0 }),
    ).toBeNull();
    optimizer.dispose();
    model.dispose();
  });
});

describe('divergence', () => {
  it('an absurd learning rate pauses the run at the checkpoint with the likely cause; resume repeats it exactly', async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=16&train_size=64&val_size=16&epochs=3&lr=10&wd=0.1&warmup=0',
    );
    const dataset = generateSyntheticDataset({ seed: 1, trainSize: 64, valSize: 16 });
    const log = collect();
    const checkpoints: Checkpoint[] = [];
    const before = tf.memory().numTensors;
    const trainer = createTrainer({
      config,
      dataset,
      onEvent: log.onEvent,
      onCheckpoint: (c) => checkpoints.push(c),
    });
    const running = trainer.run();
    await waitFor(
      () => log.of('diverged').length === 1 && trainer.phase === 'paused',
      'divergence',
    );
    const [first] = log.of('diverged');
    const mark = first!.mark;
    console.log(`divergence: step ${mark.step}, loss ${mark.loss}: ${mark.cause}`);
    expect(mark.cause).toBe(
      'learning rate 10 without warmup is likely too high; try warmup or a lower lr',
    );
    expect(log.phases()).not.toContain('failed');
    expect(log.of('error')).toEqual([]);
    const pausedPhase = log.events.filter((e) => e.type === 'phase').at(-1);
    expect(pausedPhase).toMatchObject({ phase: 'paused' });
    expect((pausedPhase as { message: string }).message).toContain(`diverged at step ${mark.step}`);
    // The model is back at the last good checkpoint (the initial one or an epoch end).
    const restored = trainer.checkpoint!;
    expect(mark.restoredStep).toBe(restored.step);
    expect(restored.step % 4).toBe(0);
    expect(checkpoints[0]!.step).toBe(0);
    // Points never hold the non-finite loss.
    expect(log.points().every((p) => Number.isFinite(p.loss))).toBe(true);

    // Resume: the same epoch streams and weights diverge at the same step again.
    trainer.resume();
    await waitFor(
      () => log.of('diverged').length === 2 && trainer.phase === 'paused',
      'the second divergence',
    );
    expect(log.of('diverged')[1]!.mark.step).toBe(mark.step);
    trainer.stop();
    const result = await running;
    expect(result!.outcome).toBe('stopped');
    expect(log.phases().at(-1)).toBe('stopped');
    result!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a NaN from a poisoned teacher at step 1 pauses at the initial weights', async () => {
    const { config } = parseQuery('model=resnet10&width=0.0625&batch=8&train_size=32&distill=r1');
    const dataset = generateSyntheticDataset({ seed: 1, trainSize: 32, valSize: 8 });
    const spec = buildResNetSpec(resnetOptionsFromConfig(config, 10));
    const poisoned = createResNetModel(spec, config.input, createRng(1));
    const bias = poisoned.parameters.find((p) => p.spec.name === 'fc.bias')!.variable;
    bias.assign(tf.fill(bias.shape, NaN));
    const teacher = {
      config,
      classes: 10,
      model: poisoned,
      outcome: 'finished' as const,
      evals: [],
      finalTop1: null,
      warmupMs: 0,
      steps: 0,
      dispose: () => poisoned.dispose(),
    };
    const log = collect();
    const trainer = createTrainer({ config, dataset, teacher, onEvent: log.onEvent });
    const running = trainer.run();
    await waitFor(() => trainer.phase === 'paused', 'the pause');
    expect(log.of('diverged')[0]!.mark).toMatchObject({ step: 1, loss: 'NaN', restoredStep: 0 });
    // Exactly the seeded initial weights.
    const fresh = createResNetModel(spec, config.input, createRng(config.seed).fork());
    const restored = valuesOf(trainer.checkpoint!);
    for (const p of fresh.parameters) {
      expect(maxAbsDiff(await p.variable.data(), restored[p.spec.name]!)).toBe(0);
    }
    fresh.dispose();
    trainer.stop();
    const result = await running;
    expect(result!.outcome).toBe('stopped');
    result!.dispose();
    teacher.dispose();
  });
});

describe('resuming from a checkpoint', () => {
  it('continues exactly where an uninterrupted run would be: same losses, same weights', async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=16&train_size=32&val_size=16&epochs=2&mixup=0.2&lr=0.05',
    );
    const dataset = generateSyntheticDataset({ seed: 3, trainSize: 32, valSize: 16 });
    const whole = collect();
    const checkpoints: Checkpoint[] = [];
    const full = await createTrainer({
      config,
      dataset,
      onEvent: whole.onEvent,
      onCheckpoint: (c) => checkpoints.push(c),
    }).run();
    expect(full!.outcome).toBe('finished');
    expect(checkpoints.map((c) => [c.step, c.epoch])).toEqual([
      [0, 0],
      [2, 1],
      [4, 2],
    ]);
    const resumedLog = collect();
    const resumed = await createTrainer({
      config,
      dataset,
      onEvent: resumedLog.onEvent,
      resumeFrom: checkpoints[1]!,
    }).run();
    expect(resumed!.outcome).toBe('finished');
    const tail = whole.points().slice(2);
    const again = resumedLog.points();
    expect(again.map((p) => p.step)).toEqual([3, 4]);
    for (let i = 0; i < again.length; i++) expect(again[i]!.loss).toBeCloseTo(tail[i]!.loss, 4);
    const end = valuesOf(checkpoints[2]!);
    for (const p of resumed!.model.parameters) {
      expect(maxAbsDiff(await p.variable.data(), end[p.spec.name]!)).toBeLessThan(1e-4);
    }
    full!.dispose();
    resumed!.dispose();
  });
});

describe('a lost GPU device', () => {
  it('device.destroy() mid-run: the device is re-created and the run resumes from its checkpoint', async () => {
    const { config } = parseQuery(
      'model=resnet10&width=0.0625&batch=16&train_size=32&val_size=16&epochs=3',
    );
    const dataset = generateSyntheticDataset({ seed: 4, trainSize: 32, valSize: 16 });
    const log = collect();
    let lost: string | null = null;
    const watch = () => {
      const device = webgpuDevice()!;
      void device.lost.then((info) => {
        if (webgpuDevice() === device) lost = `${info.reason}: ${info.message}`;
      });
    };
    watch();
    const before = tf.memory().numTensors;
    let destroyed = false;
    const trainer = createRecoveringTrainer(
      {
        config,
        dataset,
        onEvent: log.onEvent,
        onCheckpoint: (c) => {
          if (c.epoch === 1 && !destroyed) {
            destroyed = true;
            // Simulates a driver reset a moment after the checkpoint of epoch 1.
            setTimeout(() => webgpuDevice()!.destroy(), 0);
          }
        },
      },
      {
        lostReason: () => lost,
        recreateBackend: async () => {
          const started = performance.now();
          await recreateNodeBackend();
          lost = null;
          watch();
          console.log(`device re-created in ${(performance.now() - started).toFixed(0)} ms`);
        },
      },
    );
    const result = await trainer.run();
    expect(destroyed).toBe(true);
    const notices = log.of('notice').map((e) => e.message);
    console.log(notices.join('\n'));
    expect(notices[0]).toMatch(/^The GPU device was lost \(destroyed/);
    expect(notices[0]).toContain('resuming from the checkpoint of step 2');
    expect(result!.outcome).toBe('finished');
    expect(log.of('error')).toEqual([]);
    const steps = log.points().map((p) => p.step);
    // Steps after the checkpoint may be trained twice; the run ends at its last step.
    expect(steps.at(-1)).toBe(6);
    expect(steps.filter((s) => s <= 2)).toEqual([1, 2]);
    expect(log.of('eval').at(-1)!.result.epoch).toBe(3);
    result!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
