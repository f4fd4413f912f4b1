import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import type { EvalResult, TrainPoint } from '../run/events';
import { finalMetrics } from './metrics';
import type { SavedRun } from './saved-run';

/** A saved run with plausible curves, for tests. */
export function makeRun(
  id: string,
  overrides: Partial<ExperimentConfig> = {},
  options: { steps?: number; epochs?: number; top1?: number; seconds?: number } = {},
): SavedRun {
  const config = { ...DEFAULT_CONFIG, ...overrides };
  const epochs = options.epochs ?? 3;
  const steps = options.steps ?? 30;
  const perEpoch = Math.max(1, Math.floor(steps / epochs));
  const points: TrainPoint[] = Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    epoch: Math.min(epochs, Math.floor(i / perEpoch) + 1),
    loss: 2.3 * Math.exp(-i / steps) + 0.01 * Math.sin(i),
    lr: 0.1 * (1 - i / steps),
  }));
  const top1 = options.top1 ?? 0.5;
  const evals: EvalResult[] = Array.from({ length: epochs }, (_, e) => ({
    epoch: e + 1,
    step: (e + 1) * perEpoch,
    valLoss: 2 - e * 0.3,
    top1: (top1 * (e + 1)) / epochs,
    top5: Math.min(1, (top1 * (e + 1)) / epochs + 0.3),
    gaps: Array.from({ length: 50 }, (_, i) => 1 + i * 0.05 + e),
    meanGap: 2.2 + e,
  }));
  const seconds = options.seconds ?? 4;
  return {
    id,
    name: `${id} test run`,
    config,
    status: 'finished',
    origin: 'local',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_100_000,
    points,
    evals,
    final: finalMetrics(points, evals, {
      elapsedSeconds: seconds * epochs + 1.5,
      step: steps,
      stepsPerEpoch: perEpoch,
      warmupMs: 1500,
    }),
    error: null,
    warmupMs: 1500,
    sweep: null,
    hasWeights: false,
  };
}
