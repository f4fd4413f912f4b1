import type { ParameterRole } from '../architecture/parameters';

/**
 * Nesterov accelerated gradient with L2 weight decay, in the form of MXNet's nag_mom_update
 * (used by GluonCV for the paper) and PyTorch's SGD(nesterov=True):
 *   g ← g + wd·w;  v ← μ·v + g;  w ← w − η·(g + μ·v)
 */

export const NAG_MOMENTUM = 0.9;

/**
 * The weight-decay multiplier of a parameter. Without the "no bias decay" trick, decay applies to
 * every learnable parameter; with it (§3.1), only to conv and FC weights.
 */
export function appliesWeightDecay(role: ParameterRole, noBiasDecay: boolean): boolean {
  if (!noBiasDecay) return true;
  return role === 'conv-weight' || role === 'fc-weight';
}

export interface NagState {
  weights: Float64Array;
  velocity: Float64Array;
}

/** One update of one parameter on plain arrays (the reference for the tensor optimizer). */
export function nagStep(
  state: NagState,
  gradient: ArrayLike<number>,
  lr: number,
  weightDecay: number,
  momentum = NAG_MOMENTUM,
): NagState {
  const n = state.weights.length;
  const weights = new Float64Array(n);
  const velocity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = gradient[i]! + weightDecay * state.weights[i]!;
    velocity[i] = momentum * state.velocity[i]! + g;
    weights[i] = state.weights[i]! - lr * (g + momentum * velocity[i]!);
  }
  return { weights, velocity };
}
