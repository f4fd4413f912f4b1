import type { Progress } from '../run/events';

/**
 * Throughput, ETA and elapsed time of a run. Images/s is measured over the last SPEED_WINDOW_MS
 * of training only: warm-up, evaluations and pauses restart the window, and the elapsed time
 * leaves warm-up and pauses out. Pure: the clock is passed in (tests use a fake one).
 */

export const SPEED_WINDOW_MS = 10_000;

export interface MeterOptions {
  batch: number;
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Training seconds before this trainer (a run resumed from a checkpoint). */
  elapsedBefore: number;
  /** Milliseconds; default performance.now. */
  now?: () => number;
}

export interface ThroughputMeter {
  /** Training begins: elapsed time counts from now (warm-up left out). */
  start(): void;
  /** A new speed window from `step` (after the first step, whose time is mostly compiling). */
  restart(step: number): void;
  pauseStarted(): void;
  /** The pause is left out of the elapsed time, and the window starts again. */
  pauseEnded(): void;
  elapsedSeconds(): number;
  /** The progress report at `step`; each call is also a sample of the speed window. */
  progress(epoch: number, step: number): Progress;
}

export function createThroughputMeter(options: MeterOptions): ThroughputMeter {
  const now = options.now ?? (() => performance.now());
  const { batch, totalSteps } = options;
  let trainingStart: number | null = null;
  let pausedMs = 0;
  let pausedAt = 0;
  let window: { time: number; step: number }[] = [];

  const elapsedSeconds = () =>
    trainingStart === null
      ? options.elapsedBefore
      : options.elapsedBefore + (now() - trainingStart - pausedMs) / 1000;

  return {
    start() {
      trainingStart = now();
    },
    restart(step) {
      window = [{ time: now(), step }];
    },
    pauseStarted() {
      pausedAt = now();
    },
    pauseEnded() {
      pausedMs += now() - pausedAt;
      window = [];
    },
    elapsedSeconds,
    progress(epoch, step) {
      const time = now();
      window.push({ time, step });
      // The recent window, plus the last sample before it, so that slow steps still get a rate.
      while (window.length > 2 && time - window[1]!.time > SPEED_WINDOW_MS) window.shift();
      const first = window[0]!;
      const seconds = (time - first.time) / 1000;
      const imagesPerSecond = seconds > 0 ? ((step - first.step) * batch) / seconds : 0;
      return {
        epoch,
        epochs: options.epochs,
        step,
        stepsPerEpoch: options.stepsPerEpoch,
        totalSteps,
        imagesPerSecond,
        etaSeconds: imagesPerSecond > 0 ? ((totalSteps - step) * batch) / imagesPerSecond : 0,
        elapsedSeconds: elapsedSeconds(),
      };
    },
  };
}
