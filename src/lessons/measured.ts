import type { BenchReport } from '../benchmark-report/report';
import type { Throughput } from './sizing';

/**
 * The benchmark's engine f32 rate as a lesson's measured throughput: the ResNet-18-style network
 * (ResNet-18 at 32 px) where it ran, else the ResNet-50-style one (ResNet-50 at 64 px), at the
 * largest batch measured; `width` is the benchmark's. Null when no engine f32 row finished. The
 * benchmark times training steps alone (no input pipeline, no evaluation): a run's own rate,
 * when the page has one, is closer to what a lesson trains.
 */
export function throughputOfBenchmark(report: BenchReport, width: number): Throughput | null {
  const rows = report.rows.filter((r) => r.name === 'engine f32' && r.imgPerSec > 0);
  const pick = (model: string) =>
    rows.filter((r) => r.model === model).sort((a, b) => b.batch - a.batch)[0];
  const r18 = pick('resnet18-style');
  const row = r18 ?? pick('resnet50-style');
  if (!row) return null;
  return {
    imagesPerSecond: row.imgPerSec,
    config: r18
      ? { model: 'resnet18', width, input: 32, batch: row.batch, fp16: false }
      : { model: 'resnet50', width, input: 64, batch: row.batch, fp16: false },
    // The first step holds tuning and compilation, as a run's warm-up does.
    warmupSeconds: row.firstStepMs / 1000,
  };
}
