import { useMemo } from 'react';
import { throughputOfBenchmark, type Throughput } from '../../lessons';
import type { RunRecord } from '../runs';
import type { BenchmarkController } from './benchmark-controller';

/**
 * What the lessons size themselves by: this GPU's images/s on the latest run of the session
 * (a racer shared the GPU with the others: its rate times their number), with that run's warm-up;
 * else a finished benchmark's; null before either.
 */
export function useMeasuredThroughput(
  sessionRuns: RunRecord[],
  racerRuns: RunRecord[],
  benchmark: Pick<BenchmarkController, 'outcome' | 'request'>,
): Throughput | null {
  const { outcome, request } = benchmark;
  return useMemo(() => {
    const raced = new Set(racerRuns.map((r) => r.id));
    const measured = sessionRuns.filter((r) => (r.progress?.imagesPerSecond ?? 0) > 0);
    const single = measured.filter((r) => !raced.has(r.id)).at(-1);
    const run = single ?? measured.at(-1);
    if (!run) {
      return outcome?.status === 'finished' && request
        ? throughputOfBenchmark(outcome.report, request.width)
        : null;
    }
    const share = single ? 1 : Math.max(1, racerRuns.length);
    return {
      imagesPerSecond: run.progress!.imagesPerSecond * share,
      config: run.config,
      ...(run.warmupMs !== null ? { warmupSeconds: run.warmupMs / 1000 } : {}),
    };
  }, [sessionRuns, racerRuns, outcome, request]);
}
