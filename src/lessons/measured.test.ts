import { describe, expect, it } from 'vitest';
import type { BenchReport, BenchRow } from '../benchmark-report/report';
import { throughputOfBenchmark } from './measured';

const row = (over: Partial<BenchRow>): BenchRow =>
  ({
    name: 'engine f32',
    model: 'resnet18-style',
    batch: 32,
    imgPerSec: 100,
    firstStepMs: 4000,
    ...over,
  }) as BenchRow;
const report = (rows: BenchRow[]) => ({ rows }) as BenchReport;

describe("the benchmark's rate as a lesson's throughput", () => {
  it('takes the ResNet-18-style engine f32 row of the largest batch, at the benchmark width', () => {
    const t = throughputOfBenchmark(
      report([
        row({ batch: 32, imgPerSec: 90 }),
        row({ batch: 128, imgPerSec: 150 }),
        row({ name: 'tf.layers', batch: 128, imgPerSec: 20 }),
        row({ model: 'resnet50-style', batch: 128, imgPerSec: 40 }),
      ]),
      0.25,
    );
    expect(t).toEqual({
      imagesPerSecond: 150,
      config: { model: 'resnet18', width: 0.25, input: 32, batch: 128, fp16: false },
      warmupSeconds: 4,
    });
  });

  it('falls back to the ResNet-50-style row at 64 px', () => {
    const t = throughputOfBenchmark(
      report([row({ model: 'resnet50-style', batch: 32, imgPerSec: 12 })]),
      1,
    );
    expect(t?.config).toEqual({ model: 'resnet50', width: 1, input: 64, batch: 32, fp16: false });
    expect(t?.imagesPerSecond).toBe(12);
  });

  it('no engine f32 row: nothing measured', () => {
    expect(throughputOfBenchmark(report([row({ name: 'tf.layers' })]), 1)).toBeNull();
  });
});
