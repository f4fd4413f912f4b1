import type { EvalResult, TrainPoint } from '../run/events';
import type { FinalMetrics } from './saved-run';

export interface TimingInput {
  /** Seconds since training began, pauses excluded (the trainer's last progress report). */
  elapsedSeconds: number;
  /** Steps done when elapsedSeconds was measured. */
  step: number;
  stepsPerEpoch: number;
  /** First-step shader compilation, milliseconds. */
  warmupMs: number | null;
}

/**
 * The table's numbers from a run's curves. Time per epoch = (elapsed − shader warm-up) / epochs
 * done at that moment, so runs whose first step compiled shaders compare fairly.
 */
export function finalMetrics(
  points: readonly TrainPoint[],
  evals: readonly EvalResult[],
  timing: TimingInput | null,
): FinalMetrics {
  const last = evals.at(-1);
  const lastPoint = points.at(-1);
  let trainLoss: number | null = null;
  if (lastPoint) {
    const epochPoints = points.filter((p) => p.epoch === lastPoint.epoch);
    trainLoss = epochPoints.reduce((s, p) => s + p.loss, 0) / epochPoints.length;
  }
  let secondsPerEpoch: number | null = null;
  if (timing && timing.step > 0 && timing.stepsPerEpoch > 0) {
    const epochsDone = timing.step / timing.stepsPerEpoch;
    const seconds = timing.elapsedSeconds - (timing.warmupMs ?? 0) / 1000;
    if (seconds > 0) secondsPerEpoch = seconds / epochsDone;
  }
  return {
    top1: last?.top1 ?? null,
    top5: last?.top5 ?? null,
    valLoss: last?.valLoss ?? null,
    trainLoss,
    secondsPerEpoch,
    steps: lastPoint?.step ?? 0,
    epochs: last?.epoch ?? lastPoint?.epoch ?? 0,
  };
}
