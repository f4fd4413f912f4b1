import * as tf from '@tensorflow/tfjs-core';
import type { AugmentationBatch } from '../tricks';
import { mixBatch, targetDistribution, trainingLoss } from './loss';
import type { GpuLossScaler } from './fp16/loss-scaler';
import type { BatchMoments, ResNetModel } from './model';
import { withOverflowFlag } from './kernels/dispatch';
import type { NagOptimizer } from './optimizer';
import { preprocessBatch } from './preprocess';

/** One optimizer step: preprocess → mix → forward → loss → gradients → NAG → BN running stats. */

export interface StepContext {
  model: ResNetModel;
  optimizer: NagOptimizer;
  /** Distillation teacher, evaluated in eval mode without gradient; null = no distillation. */
  teacher: ResNetModel | null;
  classes: number;
  labelSmoothing: number;
  temperature: number;
  /** Source image size (the dataset's). */
  height: number;
  width: number;
  /** FP16 (§3.2): dynamic loss scaling; absent or null in f32 training. */
  lossScaler?: GpuLossScaler | null;
}

export interface StepBatch {
  /** [count, height, width, 3] pixels in [0, 255]. */
  pixels: Float32Array;
  /** A class per image; segmentation: per pixel of the model's input, count × input × input. */
  labels: Int32Array;
  count: number;
  augmentation: AugmentationBatch;
  /** Mixup λ (1 = no mixup). */
  mixupLambda: number;
}

export interface StepResult {
  /** The (unscaled) loss, still on the GPU. */
  loss: tf.Scalar;
  /** FP16 runs: [loss scale used, skipped steps so far], on the GPU; else null. */
  lossScale: tf.Tensor1D | null;
}

/** Runs one step and returns the loss, still on the GPU (the caller disposes it). */
export function trainStep(ctx: StepContext, batch: StepBatch, lr: number): tf.Scalar {
  const { loss, lossScale } = trainStepWithStats(ctx, batch, lr);
  lossScale?.dispose();
  return loss;
}

interface LossAndGradients {
  /** The loss as backpropagated (multiplied by the loss scale in FP16 runs). */
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
  /** Batch moments, kept past the caller's tidy scope: the caller disposes them. */
  moments: BatchMoments[];
}

/**
 * Preprocess → mix → (teacher) → forward → loss → gradients; call inside tf.tidy. `overflowFlag`:
 * FP16's flag of this step, which the gradient kernels raise (fp16/loss-scaler.ts).
 */
function lossAndGradients(
  ctx: StepContext,
  batch: StepBatch,
  overflowFlag: tf.Tensor | null = null,
): LossAndGradients {
  const { model, teacher } = ctx;
  const scaler = ctx.lossScaler ?? null;
  let moments: BatchMoments[] = [];
  const clean = preprocessBatch(
    batch.pixels,
    batch.count,
    ctx.height,
    ctx.width,
    batch.augmentation,
    model.input,
  );
  const x = mixBatch(clean, batch.mixupLambda);
  const targets = targetDistribution(
    batch.labels,
    ctx.classes,
    ctx.labelSmoothing,
    batch.mixupLambda,
  );
  // The teacher sees the same augmented, mixed input (§5.3), resized if its input differs.
  const teacherLogits = teacher
    ? teacher.predict(
        teacher.input === model.input
          ? x
          : tf.image.resizeBilinear(x, [teacher.input, teacher.input]),
      )
    : null;
  const trainable = model.trainableParameters.map((p) => p.variable);
  const { value, grads } = withOverflowFlag(overflowFlag, () =>
    tf.variableGrads(() => {
      const out = model.forward(x, true);
      // Keep the batch moments past this scope for the running-statistics update.
      moments = out.moments.map((m) => ({
        ...m,
        mean: tf.keep(m.mean),
        variance: tf.keep(m.variance),
      }));
      const loss = trainingLoss(targets, out.logits, teacherLogits, ctx.temperature);
      return scaler ? tf.mul(loss, scaler.scale) : loss;
    }, trainable),
  );
  return { value, grads, moments };
}

function disposeMoments(moments: BatchMoments[]): void {
  for (const m of moments) {
    m.mean.dispose();
    m.variance.dispose();
  }
}

/**
 * One step; with a loss scaler the loss is multiplied by S before backpropagation, the gradients
 * are checked for Inf and NaN (a few dispatches that only read them), the NAG update divides
 * them by S as it reads them, and is skipped when any gradient overflowed.
 */
export function trainStepWithStats(ctx: StepContext, batch: StepBatch, lr: number): StepResult {
  const scaler = ctx.lossScaler ?? null;
  let moments: BatchMoments[] = [];
  let lossScale: tf.Tensor1D | null = null;
  const loss = tf.tidy(() => {
    const flag = scaler ? scaler.startStep() : null;
    const step = lossAndGradients(ctx, batch, flag);
    moments = step.moments;
    const { value, grads } = step;
    if (!scaler || !flag) {
      ctx.optimizer.applyGradients(grads, lr);
      return value;
    }
    // The gradients stay scaled by S: the update divides them as it reads them.
    const finite = scaler.checkGradients(grads, flag);
    ctx.optimizer.applyGradients(grads, lr, finite, scaler.scale);
    const reported = tf.div(value, scaler.scale) as tf.Scalar;
    // The scale this step used, read before update() changes it.
    lossScale = tf.keep(scaler.update(finite));
    return reported;
  });
  ctx.model.updateRunningStats(moments);
  disposeMoments(moments);
  return { loss, lossScale };
}

/**
 * The forward and backward pass of a step with nothing applied: for tfjs's compile-only pass
 * (compileTfjsShadersAhead), whose values are garbage and must not reach the weights.
 */
export function dryRunStep(ctx: StepContext, batch: StepBatch): void {
  let moments: BatchMoments[] = [];
  tf.tidy(() => {
    moments = lossAndGradients(ctx, batch).moments;
  });
  disposeMoments(moments);
}
