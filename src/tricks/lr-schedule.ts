import type { ExperimentConfig } from '../config/params';

/** Learning-rate schedules of the paper, evaluated per batch (§3.1 warmup, §5.1 cosine). */

export interface LrSchedule {
  /** η: the learning rate reached after warmup. */
  peakLr: number;
  /** m: batches of linear warmup (0 = none). */
  warmupSteps: number;
  totalSteps: number;
  decay: 'step' | 'cosine';
  /** Step decay: global steps at which the rate is divided by 10. */
  stepBoundaries: number[];
}

/** Step decay divides by 10 at these fractions of training (30/60/90 of 120 epochs). */
export const STEP_DECAY_FRACTIONS = [0.25, 0.5, 0.75] as const;
export const STEP_DECAY_FACTOR = 0.1;
export const LINEAR_SCALING_REFERENCE_BATCH = 256;

/** Linear scaling (§3.1): η = lr × b / 256 when on, lr as given when off. */
export function peakLearningRate(
  config: Pick<ExperimentConfig, 'lr' | 'batch' | 'linear_scaling'>,
): number {
  return config.linear_scaling
    ? (config.lr * config.batch) / LINEAR_SCALING_REFERENCE_BATCH
    : config.lr;
}

export function lrScheduleFromConfig(
  config: Pick<
    ExperimentConfig,
    'lr' | 'batch' | 'linear_scaling' | 'warmup' | 'epochs' | 'cosine'
  >,
  stepsPerEpoch: number,
): LrSchedule {
  const totalSteps = config.epochs * stepsPerEpoch;
  return {
    peakLr: peakLearningRate(config),
    warmupSteps: Math.min(config.warmup * stepsPerEpoch, totalSteps),
    totalSteps,
    decay: config.cosine ? 'cosine' : 'step',
    stepBoundaries: STEP_DECAY_FRACTIONS.map((f) => Math.round(f * totalSteps)),
  };
}

/**
 * The learning rate of the update at 0-based global step `step` (the paper's batch i = step + 1).
 * Warmup: lr_i = i·η/m for 1 ≤ i ≤ m. Cosine: η_t = ½(1 + cos(tπ/T))·η with t counted from the
 * end of warmup and T the batches after warmup. Step: η / 10^(boundaries passed).
 */
export function learningRateAt(schedule: LrSchedule, step: number): number {
  const { peakLr, warmupSteps, totalSteps } = schedule;
  if (step < warmupSteps) return ((step + 1) * peakLr) / warmupSteps;
  if (schedule.decay === 'cosine') {
    const t = step - warmupSteps;
    const T = totalSteps - warmupSteps;
    return 0.5 * (1 + Math.cos((t * Math.PI) / T)) * peakLr;
  }
  const passed = schedule.stepBoundaries.filter((b) => step >= b).length;
  return peakLr * STEP_DECAY_FACTOR ** passed;
}

export interface LrPoint {
  step: number;
  lr: number;
}

/**
 * The whole curve for charting, at most `maxPoints` points; always includes the first and last
 * step and the steps on both sides of every step-decay boundary, so the drops stay sharp.
 */
export function sampleLrCurve(schedule: LrSchedule, maxPoints = 400): LrPoint[] {
  const { totalSteps } = schedule;
  if (totalSteps <= 0) return [];
  const steps = new Set<number>();
  const stride = Math.max(1, Math.ceil(totalSteps / maxPoints));
  for (let s = 0; s < totalSteps; s += stride) steps.add(s);
  steps.add(totalSteps - 1);
  if (schedule.warmupSteps > 0) steps.add(Math.min(schedule.warmupSteps, totalSteps - 1));
  if (schedule.decay === 'step') {
    for (const b of schedule.stepBoundaries) {
      if (b > 0 && b < totalSteps) {
        steps.add(b - 1);
        steps.add(b);
      }
    }
  }
  return [...steps]
    .sort((a, b) => a - b)
    .map((s) => ({ step: s + 1, lr: learningRateAt(schedule, s) }));
}
