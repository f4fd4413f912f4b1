import * as tf from '@tensorflow/tfjs-core';
import { F32 } from '../../config/number-format';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_FAILPOINTS, parseFailpoints } from '../../config/failpoints';
import { initNodeBackend } from '../backend-node';
import { convGeometry } from '../kernels/conv-geometry';
import { directConvShaders } from '../kernels/direct-conv';
import {
  compiledPipelineCount,
  compilePipelinesAhead,
  pipelineFor,
  flushCommands,
  recordInvalidDispatch,
} from '../kernels/dispatch';
import { tiledConvShaders, TILE_SHAPES } from '../kernels/tiled-conv';
import { setFailpoints } from './failpoints';
import {
  settleGpuErrors,
  uncapturedErrorMark,
  uncapturedErrorSince,
  withErrorScopes,
} from './gpu-errors';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.backend).toBe('webgpu');
  expect(info.limits).toBe('default');
});

afterEach(() => setFailpoints(NO_FAILPOINTS));

/** A readback: the CPU waits for everything queued, errors included. */
async function sync(): Promise<void> {
  const t = tf.add(tf.scalar(1), 1);
  await t.data();
  t.dispose();
}

describe('GPU errors are caught, not lost', () => {
  it('an error scope catches an invalid dispatch as a validation error, and returns the result', async () => {
    const { result, fault } = await withErrorScopes(() => {
      recordInvalidDispatch('test: unbound buffer');
      return 42;
    });
    expect(result).toBe(42);
    expect(fault?.kind).toBe('validation');
    expect(fault?.message).toContain('test: unbound buffer');
  });

  it('an error scope around valid work reports none', async () => {
    const { fault } = await withErrorScopes(async () => {
      await sync();
    });
    expect(fault).toBeNull();
  });

  it('an error outside any scope reaches the uncapturederror log once it settles', async () => {
    const mark = uncapturedErrorMark();
    expect(uncapturedErrorSince(mark)).toBeNull();
    recordInvalidDispatch('test: unscoped');
    // The error is raised when the command buffer is finished: submit it.
    flushCommands();
    await sync();
    await settleGpuErrors();
    const fault = uncapturedErrorSince(mark);
    expect(fault?.kind).toBe('validation');
    // Both implementations name the labelled pass or pipeline: messages say which kernel failed.
    expect(fault?.message).toContain('test: unscoped');
  });
});

describe('pipelines compile side by side: one that fails does not sink the rest', () => {
  const BAD = {
    code: '@compute @workgroup_size(1) fn main() { let x: u32 = -; }',
    label: 'bad one',
  };
  const good = (i: number) => ({
    code: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(${i + 1}) fn main() { o[0] = ${i}.0; }`,
    label: `good ${i}`,
  });

  it('returns the failure, naming it; compiles the others; pipelineFor then refuses the bad one', async () => {
    const before = compiledPipelineCount();
    const failures = await compilePipelinesAhead([good(1), BAD, good(2)]);
    expect(failures.map((f) => f.source.label)).toEqual(['bad one']);
    expect(failures[0]!.message.length).toBeGreaterThan(0);
    expect(compiledPipelineCount() - before).toBe(2);
    expect(() => pipelineFor(BAD.code, BAD.label)).toThrow(/bad one did not compile on this GPU/);
    // Asked again, the known failure comes back without another compile.
    expect((await compilePipelinesAhead([BAD])).map((f) => f.source.label)).toEqual(['bad one']);
  });

  it('the compile failpoint breaks exactly the pipelines of the kernel it names', async () => {
    setFailpoints(parseFailpoints('compile:direct').failpoints);
    // A geometry of its own, so that no earlier test compiled these shaders.
    const g = convGeometry([1, 7, 7, 12], [3, 3, 12, 20], 1, 1);
    const direct = directConvShaders('forward', g, F32);
    const tiled = tiledConvShaders('forward', g, F32, TILE_SHAPES[0]!);
    const failures = await compilePipelinesAhead([...direct, ...tiled]);
    expect(failures.map((f) => f.source.label)).toEqual(direct.map((s) => s.label));
    expect(direct.every((s) => s.label.startsWith('direct '))).toBe(true);
  });
});
