import * as tf from '@tensorflow/tfjs-core';
import { appliesWeightDecay, NAG_MOMENTUM } from '../tricks';
import { groupForInPlace } from './kernels/dispatch';
import {
  fusedNagUpdate,
  fusedNagUpdateInPlace,
  nagParametersPerDispatch,
  type NagParameterUpdate,
} from './kernels/fused-nag';
import { makeVariable, type ModelParameter } from './model';

/**
 * Nesterov SGD with per-parameter weight decay, exactly as nagStep (src/tricks/nag.ts):
 *   g ← g + wd·w;  v ← μ·v + g;  w ← w − η·(g + μ·v)
 * With "no bias decay" only conv and FC weights are decayed (§3.1). η is per parameter: the
 * learning rate times its multiple (`lrScaleOf`; a fine-tuned backbone trains at 0.1η, §6).
 */
export interface NagOptimizer {
  /**
   * grads keyed by variable name (as tf.variableGrads returns them). With `apply` (a bool
   * scalar on the GPU), a false value leaves weights and velocities untouched: the skipped step
   * of dynamic loss scaling, decided without a readback. With `lossScale` (a scalar on the GPU),
   * the gradients are scaled by it: each is divided by it first, g / S, then updates as above.
   */
  applyGradients(
    grads: Record<string, tf.Tensor>,
    lr: number,
    apply?: tf.Scalar,
    lossScale?: tf.Scalar,
  ): void;
  /** Number of tensors the optimizer holds. */
  tensorCount(): number;
  /** The NAG velocities as `<parameter>.velocity` (checkpoints copy and restore them). */
  namedVelocities(): { name: string; variable: tf.Variable }[];
  dispose(): void;
}

interface Slot {
  variable: tf.Variable;
  velocity: tf.Variable;
  weightDecay: number;
  /** This parameter's multiple of the learning rate (a fine-tuned backbone's, e.g. 0.1). */
  lrScale: number;
}

/**
 * On WebGPU the update is fused (kernels/fused-nag.ts), several parameters per dispatch, in
 * place, the skippable, unscaling updates of loss scaling included; `fused: false` forces the unfused tfjs ops (tests
 * compare). Both divide by the loss scale first, so they agree with a separate unscaling pass.
 */
export function createNagOptimizer(
  parameters: ModelParameter[],
  weightDecay: number,
  noBiasDecay: boolean,
  momentum = NAG_MOMENTUM,
  fused = true,
  lrScaleOf: (p: ModelParameter) => number = () => 1,
): NagOptimizer {
  const slots: Slot[] = parameters.map((p) => ({
    variable: p.variable,
    velocity: makeVariable(tf.zerosLike(p.variable), false),
    weightDecay: appliesWeightDecay(p.spec.role, noBiasDecay) ? weightDecay : 0,
    lrScale: lrScaleOf(p),
  }));
  return {
    applyGradients(grads, lr, apply, lossScale) {
      if (fused && tf.getBackend() === 'webgpu') {
        tf.tidy(() => {
          // The fused kernel takes both or neither; a missing one is the identity (g / 1 = g,
          // exactly): one tiny upload per call, only where a caller gives just one.
          const lossScaling =
            apply || lossScale
              ? {
                  apply: apply ?? (tf.scalar(true, 'bool') as tf.Scalar),
                  scale: lossScale ?? tf.scalar(1),
                }
              : undefined;
          const updates: (NagParameterUpdate & { slot: Slot })[] = slots.map((slot) => {
            const grad = grads[slot.variable.name];
            if (!grad) throw new Error(`no gradient for ${slot.variable.name}`);
            const { variable: weight, velocity, weightDecay } = slot;
            return { slot, weight, velocity, grad, lr: lr * slot.lrScale, weightDecay };
          });
          // In place, several parameters per dispatch: most steps cost ⌈parameters ÷ k⌉
          // dispatches. A weight or velocity whose storage another tensor shares (a clone, or
          // a tensor it was assigned from, still alive) gets a new tensor, one dispatch each.
          const { groups, others } = groupForInPlace(
            updates,
            nagParametersPerDispatch(lossScaling !== undefined),
            (u) => [u.weight, u.velocity],
            (u) => [u.grad],
          );
          for (const group of groups) fusedNagUpdateInPlace(group, momentum, lossScaling);
          for (const u of others) {
            const [w, v] = fusedNagUpdate(
              u.weight,
              u.velocity,
              u.grad,
              u.lr,
              momentum,
              u.weightDecay,
              lossScaling,
            );
            u.slot.velocity.assign(v);
            u.slot.variable.assign(w);
          }
        });
        return;
      }
      tf.tidy(() => {
        for (const slot of slots) {
          const eta = tf.scalar(lr * slot.lrScale);
          const grad = grads[slot.variable.name];
          if (!grad) throw new Error(`no gradient for ${slot.variable.name}`);
          const unscaled = lossScale ? tf.div(grad, lossScale) : grad;
          const g =
            slot.weightDecay > 0
              ? tf.add(unscaled, tf.mul(slot.variable, slot.weightDecay))
              : unscaled;
          const v = tf.add(tf.mul(slot.velocity, momentum), g);
          const w = tf.sub(slot.variable, tf.mul(eta, tf.add(g, tf.mul(v, momentum))));
          slot.velocity.assign(apply ? tf.where(apply, v, slot.velocity) : v);
          slot.variable.assign(apply ? tf.where(apply, w, slot.variable) : w);
        }
      });
    },
    tensorCount: () => slots.length,
    namedVelocities: () =>
      slots.map((slot, i) => ({
        name: `${parameters[i]!.spec.name}.velocity`,
        variable: slot.velocity,
      })),
    dispose() {
      for (const slot of slots) slot.velocity.dispose();
    },
  };
}
