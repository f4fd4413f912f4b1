/**
 * Dynamic loss scaling for FP16 training (Micikevicius et al. 2018, used for the paper's §3.2):
 * the loss is multiplied by S before backpropagation so that small gradients survive f16, and the
 * gradients are divided by S before the optimizer. When any gradient overflows (Inf/NaN), the
 * update is skipped and S is halved; after `growthInterval` clean steps in a row S doubles.
 */

export interface LossScaleOptions {
  initial: number;
  /** Clean steps in a row before the scale doubles. */
  growthInterval: number;
  min: number;
  max: number;
}

/** PyTorch's GradScaler starts at 2^16 too; it grows after 2000 steps, too slow for demo runs. */
export const DEFAULT_LOSS_SCALE: LossScaleOptions = {
  initial: 2 ** 16,
  growthInterval: 200,
  min: 2 ** -14,
  max: 2 ** 24,
};

export interface LossScaleState {
  scale: number;
  /** Clean steps since the last change of the scale. */
  cleanSteps: number;
  /** Updates skipped because a gradient overflowed, since the start. */
  skipped: number;
}

export function initialLossScaleState(
  options: LossScaleOptions = DEFAULT_LOSS_SCALE,
): LossScaleState {
  if (!(options.initial > 0) || !(options.min > 0) || options.min > options.max) {
    throw new Error('loss scale: need 0 < min ≤ max and initial > 0');
  }
  if (!Number.isInteger(options.growthInterval) || options.growthInterval < 1) {
    throw new Error('loss scale: growthInterval must be a whole number ≥ 1');
  }
  return { scale: options.initial, cleanSteps: 0, skipped: 0 };
}

/** The state after one step whose gradients did (`overflow`) or did not overflow. */
export function nextLossScaleState(
  state: LossScaleState,
  overflow: boolean,
  options: LossScaleOptions = DEFAULT_LOSS_SCALE,
): LossScaleState {
  if (overflow) {
    return {
      scale: Math.max(state.scale / 2, options.min),
      cleanSteps: 0,
      skipped: state.skipped + 1,
    };
  }
  const clean = state.cleanSteps + 1;
  if (clean >= options.growthInterval) {
    return { scale: Math.min(state.scale * 2, options.max), cleanSteps: 0, skipped: state.skipped };
  }
  return { scale: state.scale, cleanSteps: clean, skipped: state.skipped };
}
