import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec } from '../../architecture';
import { parseTuningCache } from '../../tuning-plan/plan';
import { NO_FAILPOINTS, parseFailpoints } from '../../config/failpoints';
import { setFailpoints } from '../faults/failpoints';
import { initNodeBackend } from '../backend-node';
import { packedOps } from '../heavy-ops';
import { CONV_KERNEL_IDS, convKernelById } from '../kernels/conv-registry';
import { formatKey } from '../../config/number-format';
import { memoryTuningCache, TEST_ADAPTER, tinyResNetOptions } from '../test-utils';
import { tuneConvolutions } from './tuner';

beforeAll(async () => {
  const info = await initNodeBackend();
  expect(info.shaderF16).toBe(true);
});

// The tuner test's network: the RGB stem (padded to 4), 3×3/1, 3×3/2, 1×1/2.
const OPTIONS = tinyResNetOptions({ input: 16 });
const SPEC = buildResNetSpec(OPTIONS);

describe('the autotuner with packed f16 storage', () => {
  it('times direct and tiled on packed operands, never tfjs, and caches per arithmetic', async () => {
    const cache = memoryTuningCache();
    const keys: string[][] = [];
    for (const arithmetic of ['f16', 'f32'] as const) {
      const ops = packedOps(arithmetic);
      const warn = console.warn;
      const warnings: unknown[] = [];
      console.warn = (...args: unknown[]) => warnings.push(args);
      const before = tf.memory().numTensors;
      const result = await tuneConvolutions({
        spec: SPEC,
        input: OPTIONS.input,
        batch: 4,
        ops,
        adapter: TEST_ADAPTER,
        cache,
      }).finally(() => {
        console.warn = warn;
      });
      // A candidate that threw (wrong operand shapes) would only be warned about and skipped.
      expect(warnings).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
      expect(result.timer).toBe('gpu timestamps');
      expect(result.convs.length).toBeGreaterThanOrEqual(12);
      expect(result.notices).toEqual([]);
      for (const conv of result.convs) {
        expect(conv.key.endsWith(` ${formatKey(ops.format)}`)).toBe(true);
        // Every packed kernel agrees with the CPU reference within f16 tolerance.
        expect(conv.candidates.filter((c) => c.verdict !== undefined)).toEqual([]);
        expect(conv.candidates.some((c) => c.family === 'tfjs')).toBe(false);
        expect(conv.candidates.some((c) => c.family === 'tiled')).toBe(true);
        const chosen = conv.candidates.find((c) => c.id === conv.chosen);
        expect(Number.isFinite(chosen?.ms)).toBe(true);
        expect(convKernelById(conv.chosen)?.family).not.toBe('tfjs');
        expect(ops.kernels!.tuned.get(conv.key)).toBe(conv.chosen);
      }
      keys.push(result.convs.map((c) => c.key));
    }
    // Both arithmetics' choices sit side by side in one adapter's table.
    const stored = parseTuningCache(cache.saved, CONV_KERNEL_IDS).data.adapters;
    const entries = Object.keys(Object.values(stored)[0]!);
    for (const k of keys.flat()) expect(entries).toContain(k);
    expect(new Set(keys.flat()).size).toBe(keys[0]!.length + keys[1]!.length);
  });

  afterEach(() => setFailpoints(NO_FAILPOINTS));

  it.each(['f16', 'f32'] as const)(
    'f16 storage, %s arithmetic: a kernel with wrong packed outputs (failpoint wrong:direct) is found unpacked and excluded',
    async (arithmetic) => {
      setFailpoints(parseFailpoints('wrong:direct').failpoints);
      const result = await tuneConvolutions({
        spec: SPEC,
        input: OPTIONS.input,
        batch: 4,
        ops: packedOps(arithmetic),
        adapter: TEST_ADAPTER,
      });
      expect(result.notices).toEqual([
        expect.stringMatching(/^direct gives wrong results on this GPU/),
      ]);
      for (const conv of result.convs) {
        const excluded = conv.candidates.filter((c) => c.verdict !== undefined).map((c) => c.id);
        const direct = conv.candidates.some((c) => c.id === 'direct');
        expect(excluded).toEqual(direct ? ['direct'] : []);
        expect(conv.chosen).not.toBe('direct');
      }
    },
  );
});
