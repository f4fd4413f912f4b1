import type { ExperimentConfig } from '../config/params';
import { LINEAR_SCALING_REFERENCE_BATCH, peakLearningRate } from '../tricks/lr-schedule';

/**
 * Why a run's loss became NaN or infinite, in words, from its settings and the step where it
 * happened. A heuristic: it names the most likely cause and what to try, never a certainty.
 */

/**
 * Above this peak learning rate η, plain SGD on a BN ResNet is at risk. The paper's largest
 * (batch 1024 with linear scaling, §3.1) is 0.4, and it needs warmup.
 */
export const HIGH_LR = 0.4;

/**
 * A finite loss this many times the loss of uniform guessing (ln K) also counts as diverged: the
 * logits are then thousands of nats apart, the weights have blown up, and on the way to Inf the
 * run would only waste time. (BN keeps many blown-up ResNets finite for a long while.)
 */
export const EXPLODED_LOSS_FACTOR = 10_000;

/** NaN, ±Inf, or exploded (see EXPLODED_LOSS_FACTOR) for a classifier of `classes` classes. */
export function isDivergedLoss(loss: number, classes: number): boolean {
  return !Number.isFinite(loss) || loss > EXPLODED_LOSS_FACTOR * Math.log(Math.max(2, classes));
}

/** The loss as the divergence message shows it: "NaN", "Infinity" or "3.4e+4". */
export function formatDivergedLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toExponential(1) : String(loss);
}

export interface DivergenceInput {
  config: Pick<
    ExperimentConfig,
    'lr' | 'batch' | 'linear_scaling' | 'warmup' | 'distill' | 'temperature' | 'mixup'
  >;
  /** The 1-based step whose loss was not finite. */
  step: number;
  stepsPerEpoch: number;
  /** The learning rate of that step. */
  lr: number;
  loss: number;
}

export interface DivergenceMark {
  step: number;
  /** The loss as text: "NaN", "Infinity" or an exploded value such as "3.4e+4". */
  loss: string;
  /** The validation loss diverged (the training losses of the epoch were still finite). */
  validation?: boolean;
  cause: string;
  /** The step of the checkpoint the model was restored to. */
  restoredStep: number;
}

const round = (x: number) => Number(x.toPrecision(3));

function describeLr(config: DivergenceInput['config']): string {
  const eta = round(peakLearningRate(config));
  return config.linear_scaling
    ? `learning rate ${eta} (lr ${config.lr} × batch ${config.batch}/${LINEAR_SCALING_REFERENCE_BATCH}, linear scaling)`
    : `learning rate ${eta}`;
}

export function divergenceCause(input: DivergenceInput): string {
  const { config, step, stepsPerEpoch } = input;
  const eta = peakLearningRate(config);
  const warmupSteps = config.warmup * stepsPerEpoch;
  const lr = describeLr(config);
  if (eta > HIGH_LR) {
    if (warmupSteps === 0) {
      return `${lr} without warmup is likely too high; try warmup or a lower lr`;
    }
    if (step <= warmupSteps) {
      return `${lr} is likely too high: the loss blew up during warmup, at lr ${round(input.lr)}; try a lower lr or a longer warmup`;
    }
    return `${lr} is likely too high even with ${config.warmup} epoch${config.warmup === 1 ? '' : 's'} of warmup; try a lower lr`;
  }
  if (config.distill && config.temperature < 1) {
    return `the distillation temperature ${config.temperature} is very low, which can overflow the softmax of the teacher's logits; try T ≥ 1`;
  }
  if (warmupSteps === 0 && step <= stepsPerEpoch) {
    return `the loss blew up in the first epoch at ${lr}; try warmup or a lower lr`;
  }
  return `the loss became ${formatDivergedLoss(input.loss)} at ${lr} (lr ${round(input.lr)} at that step); a lower lr or warmup usually helps`;
}
