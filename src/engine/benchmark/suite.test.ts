import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchRow, LargestConv } from '../../benchmark/report';
import { initNodeBackend } from '../backend-node';
import { RESNET18_STYLE, runBenchmarkSuite } from './suite';

beforeAll(async () => {
  await initNodeBackend();
});

describe('runBenchmarkSuite', () => {
  it('reports the FMA peak and the largest convolution before any row, so a stop keeps them', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    let peak: number | null = null;
    let conv: LargestConv | null = null;
    const rows: BenchRow[] = [];
    const run = runBenchmarkSuite(
      {
        models: [RESNET18_STYLE],
        batches: [2],
        warmupSteps: 0,
        timedSteps: 1,
        leakStep: 2,
        f16: false,
        signal: controller.signal,
        onPeak: (gflops) => {
          events.push('peak');
          peak = gflops;
        },
        onLargestConv: (c) => {
          events.push('conv');
          conv = c;
          // Stop as the user would, before the first row's first step.
          controller.abort(new Error('stopped'));
        },
        onRow: (row) => rows.push(row),
      },
      'test adapter',
    );
    await expect(run).rejects.toThrow('stopped');
    expect(events).toEqual(['peak', 'conv']);
    expect(peak).toBeGreaterThan(0);
    expect(conv!.gflops).toBeGreaterThan(0);
    expect(conv!.shape).toContain('batch 2');
    expect(rows).toEqual([]);
  });
});
