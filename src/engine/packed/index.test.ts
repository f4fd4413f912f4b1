import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend-node';
import { compilePipelinesAhead } from '../kernels/dispatch';
import { PACKED_SHADERS } from './index';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
});

describe('PACKED_SHADERS', () => {
  it('lists distinct shaders that all compile ahead', async () => {
    expect(new Set(PACKED_SHADERS.map((s) => s.label)).size).toBe(PACKED_SHADERS.length);
    await compilePipelinesAhead(PACKED_SHADERS);
  });
});
