import * as tf from '@tensorflow/tfjs';
import type { AugmentationBatch } from '../tricks';
import { mixBatch, targetDistribution, trainingLoss } from './loss';
import type { BatchMoments, ResNetModel } from './model';
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
}

export interface StepBatch {
  /** [count, height, width, 3] pixels in [0, 255]. */
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
  augmentation: AugmentationBatch;
  /** Mixup λ (1 = no mixup). */
  mixupLambda: number;
}

/** Runs one step and returns the loss, still on the GPU (the caller disposes it). */
export function trainStep(ctx: StepContext, batch: StepBatch, lr: number): tf.Scalar {
  const { model, teacher } = ctx;
  let moments: BatchMoments[] = [];
  const loss = tf.tidy(() => {
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
    const trainable = model.parameters.map((p) => p.variable);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(x, true);
      // Keep the batch moments past this scope for the running-statistics update.
      moments = out.moments.map((m) => ({
        ...m,
        mean: tf.keep(m.mean),
        variance: tf.keep(m.variance),
      }));
      return trainingLoss(targets, out.logits, teacherLogits, ctx.temperature);
    }, trainable);
    ctx.optimizer.applyGradients(grads, lr);
    return value;
  });
  model.updateRunningStats(moments);
  for (const m of moments) {
    m.mean.dispose();
    m.variance.dispose();
  }
  return loss;
}
