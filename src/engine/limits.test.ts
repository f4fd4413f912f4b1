import { beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../config';
import type { RunPhase, TrainerEvent } from '../run/events';
import { initNodeBackend } from './backend-node';
import { backendDevice } from './kernels/dispatch';
import { randomDataset } from './test-utils';
import { createTrainer } from './trainer';

/**
 * The engine tests run on a device with WebGPU's default limits (vite.config.ts sets
 * TRICKS_WEBGPU_LIMITS=default), the least any implementation offers, and what does not fit
 * them is refused before any GPU work.
 */

beforeAll(async () => {
  expect((await initNodeBackend()).limits).toBe('default');
});

describe('WebGPU default limits', () => {
  it('the test device has them: 128 MiB per binding, 16 KiB workgroup memory, 256 invocations', () => {
    const limits = backendDevice().limits;
    expect(limits.maxStorageBufferBindingSize).toBe(128 * 2 ** 20);
    expect(limits.maxComputeWorkgroupStorageSize).toBe(16384);
    expect(limits.maxComputeInvocationsPerWorkgroup).toBe(256);
  });

  it('a run whose largest activation exceeds one binding is refused before warm-up, saying why', async () => {
    // The stem's output: 64 · 112 · 112 · 64 channels · 4 bytes = 196 MiB.
    const { config } = parseQuery('model=resnet10&width=1&input=224&batch=64&epochs=1');
    const events: TrainerEvent[] = [];
    const trained = await createTrainer({
      config,
      dataset: randomDataset(1, 64, 8, 32),
      onEvent: (e) => events.push(e),
    }).run();
    expect(trained).toBeNull();
    const phases = events.flatMap((e) => (e.type === 'phase' ? [e.phase] : [])) as RunPhase[];
    expect(phases).toEqual(['preparing', 'failed']);
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.message] : []));
    expect(errors).toEqual([
      "The largest activation (196 MB) exceeds this GPU's buffer limit (128 MB): lower the batch size, the input size or the width.",
    ]);
  });
});
