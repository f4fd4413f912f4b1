import * as tf from '@tensorflow/tfjs-core';
import {
  listParameters,
  type ConvBnSpec,
  type ParameterSpec,
  type ResNetSpec,
} from '../architecture';
import type { Rng } from '../tricks';
import { F32_OPS, packedInputChannels, type HeavyOps } from './heavy-ops';
import { fusedBatchNormTrain } from './kernels/fused-bn';
import { fusedResidualRelu } from './kernels/fused-residual';
import { groupForInPlace } from './kernels/dispatch';
import {
  runningStatsLayersPerDispatch,
  updatedRunningStats,
  updateRunningStatsInPlace,
} from './kernels/running-stats';
import {
  avgPool2x2CeilPacked,
  batchNormTrainPacked,
  fromPacked,
  globalAvgPoolPacked,
  maxPool3x3s2Packed,
  packChannels,
  residualReluPacked,
} from './packed';
import { avgPool2x2Ceil } from './pooling';
import { bilinearUpsample } from './kernels/bilinear-upsample';

/** The ResNet of a spec as tf.Variables, with a forward pass in training or evaluation mode. */

export const BN_EPSILON = 1e-5;
/** running = BN_MOMENTUM · running + (1 − BN_MOMENTUM) · batch. */
export const BN_MOMENTUM = 0.9;

export interface ModelParameter {
  spec: ParameterSpec;
  variable: tf.Variable;
}

/** Batch statistics of one BN layer in a training forward pass (biased variance). */
export interface BatchMoments {
  name: string;
  mean: tf.Tensor;
  variance: tf.Tensor;
}

export interface ForwardResult {
  /** [n, classes]; an FCN's (spec.head) per pixel, [n · height · width, classes], row-major. */
  logits: tf.Tensor2D;
  /** Training mode only; empty in evaluation mode. */
  moments: BatchMoments[];
}

export interface ResNetModel {
  spec: ResNetSpec;
  input: number;
  classes: number;
  /** Every parameter, in listParameters order. */
  parameters: ModelParameter[];
  /**
   * The parameters a training step updates: all of them, or only the classifier's (`fc.*`) when
   * the backbone is frozen (a linear probe).
   */
  trainableParameters: ModelParameter[];
  /** x: normalized images [n, input, input, 3]. */
  forward(x: tf.Tensor4D, training: boolean): ForwardResult;
  /** Evaluation mode (running BN statistics). */
  predict(x: tf.Tensor4D): tf.Tensor2D;
  /** Moves the BN running statistics towards the batch moments of a training step. */
  updateRunningStats(moments: BatchMoments[]): void;
  /** Number of tensors the model holds (parameters and running statistics). */
  tensorCount(): number;
  /** Every tensor by name: parameters, then `<bn>.running_mean` / `<bn>.running_var`. */
  namedTensors(): { name: string; tensor: tf.Tensor }[];
  dispose(): void;
}

/**
 * The task's own tensors: the classifier (`fc.*`) and an FCN's head (`head.*`). A transferred
 * model draws them afresh for its dataset and task; a linear probe trains only them.
 */
export const isClassifier = (name: string): boolean =>
  name.startsWith('fc.') || name.startsWith('head.');

function initialValues(spec: ParameterSpec, rng: Rng): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (spec.init.kind === 'constant') {
    values.fill(spec.init.value);
  } else {
    const { limit } = spec.init;
    for (let i = 0; i < size; i++) values[i] = rng.uniform(-limit, limit);
  }
  return values;
}

/** A variable with the value of `initial`, which it disposes (no leaked initial tensor). */
export function makeVariable(initial: tf.Tensor, trainable: boolean): tf.Variable {
  const variable = tf.variable(initial, trainable);
  initial.dispose();
  return variable;
}

/**
 * What a forward pass runs between the convolutions, for one storage of the activations. The
 * packed path (FP16 storage, src/engine/packed/layout.ts) runs training-mode fused BN only.
 */
interface StoragePath {
  /** The network's input (normalized images, f32) as this path stores activations. */
  input(x: tf.Tensor4D): tf.Tensor4D;
  batchNormTrain(
    x: tf.Tensor4D,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    epsilon: number,
    relu: boolean,
  ): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor };
  maxPool(h: tf.Tensor4D): tf.Tensor4D;
  avgPool(h: tf.Tensor4D): tf.Tensor4D;
  residualRelu(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D;
  /** The mean over height and width: f32 features [n, channels] for the FC layer. */
  globalAvgPool(h: tf.Tensor4D, channels: number): tf.Tensor2D;
  /** FCN: the head's activations as f32 [n, h, w, channels], for the per-pixel classifier. */
  features(h: tf.Tensor4D, channels: number): tf.Tensor4D;
}

/** f32 tensors; `fused` (WebGPU): relu(a + b) in our fused kernel. */
function f32Path(fused: boolean): StoragePath {
  return {
    input: (x) => x,
    batchNormTrain: fusedBatchNormTrain,
    maxPool: (h) => tf.maxPool(h, 3, 2, 1),
    avgPool: avgPool2x2Ceil,
    residualRelu: (a, b) => (fused ? fusedResidualRelu(a, b) : tf.relu(tf.add<tf.Tensor4D>(a, b))),
    globalAvgPool: (h) => tf.mean(h, [1, 2]),
    features: (h) => h,
  };
}

/** Packed f16 activations: the RGB input is zero-padded to 4 channels and packed once. */
const PACKED_PATH: StoragePath = {
  input: (x) => packChannels(padChannels(x, packedInputChannels(x.shape[3]))) as tf.Tensor4D,
  batchNormTrain: batchNormTrainPacked,
  maxPool: maxPool3x3s2Packed,
  avgPool: avgPool2x2CeilPacked,
  residualRelu: residualReluPacked,
  globalAvgPool: globalAvgPoolPacked,
  features: (h, channels) => fromPacked(h, channels) as tf.Tensor4D,
};

function padChannels(x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const extra = channels - x.shape[3];
  if (extra === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, extra],
  ]);
}

/**
 * Builds the variables; Xavier values are drawn on the CPU from `rng`, so a seed reproduces them.
 * `ops` runs the convolutions and the FC layer (our f32 or f16 kernels, see heavy-ops.ts); with
 * FP16's packed storage a training forward keeps its activations packed (PACKED_PATH) while
 * evaluation and prediction run `ops.f32Storage` on f32 tensors;
 * `fusedBatchNorm` (on WebGPU) runs training-mode BN+ReLU, every block's relu(a + b) and the
 * update of the running statistics in our fused kernels.
 */
export function createResNetModel(
  spec: ResNetSpec,
  input: number,
  rng: Rng,
  ops: HeavyOps = F32_OPS,
  fusedBatchNorm = true,
  {
    frozenBackbone = false,
  }: {
    /**
     * A linear probe (paper §6): a training forward runs every layer before the classifier in
     * evaluation mode (running BN statistics, none updated) and only `fc.*` trains.
     */
    frozenBackbone?: boolean;
  } = {},
): ResNetModel {
  const parameters: ModelParameter[] = listParameters(spec).map((p) => ({
    spec: p,
    variable: makeVariable(tf.tensor(initialValues(p, rng), p.shape), true),
  }));
  const byName = new Map(parameters.map((p) => [p.spec.name, p.variable]));
  const param = (name: string): tf.Variable => {
    const v = byName.get(name);
    if (!v) throw new Error(`model has no parameter ${name}`);
    return v;
  };
  const running = new Map<string, { mean: tf.Variable; variance: tf.Variable }>();
  for (const p of parameters) {
    if (p.spec.role !== 'bn-gamma') continue;
    const bnName = p.spec.name.slice(0, -'.gamma'.length);
    const channels = p.spec.shape[0]!;
    running.set(bnName, {
      mean: makeVariable(tf.zeros([channels]), false),
      variance: makeVariable(tf.ones([channels]), false),
    });
  }

  function forward(x: tf.Tensor4D, trainingStep: boolean): ForwardResult {
    const moments: BatchMoments[] = [];
    // The layers before the classifier: in training mode, unless a probe froze them.
    const training = trainingStep && !frozenBackbone;
    const fused = fusedBatchNorm && tf.getBackend() === 'webgpu';
    // FP16 storage is for a training step only: evaluation and prediction read f32 tensors.
    const packed = training && fused && ops.format.storage === 'f16';
    const heavy = packed ? ops : (ops.f32Storage ?? ops);
    const path = packed ? PACKED_PATH : f32Path(fused);

    // `batchMode`: BN normalizes with the batch's statistics (and reports them) rather than the
    // running ones. An FCN's head is the task's own layer: it does so in a probe too.
    const convBn = (h: tf.Tensor4D, cb: ConvBnSpec, batchMode = training): tf.Tensor4D => {
      const { conv, bn } = cb;
      const w = param(`${conv.name}.weight`) as tf.Tensor4D;
      let y = heavy.conv2d(h, w, conv.stride, conv.pad, conv.dilation);
      const gamma = param(`${bn.name}.gamma`);
      const beta = param(`${bn.name}.beta`);
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (batchMode && fused) {
        // BN (+ReLU) forward and backward in two dispatches each (kernels/fused-bn.ts).
        const out = path.batchNormTrain(y, gamma, beta, BN_EPSILON, cb.relu);
        moments.push({ name: bn.name, mean: out.mean, variance: out.variance });
        return out.y;
      }
      if (batchMode) {
        ({ mean, variance } = tf.moments(y, [0, 1, 2]));
        moments.push({ name: bn.name, mean, variance });
      } else {
        const stats = running.get(bn.name)!;
        ({ mean, variance } = stats);
      }
      y = tf.batchNorm(y, mean, variance, beta, gamma, BN_EPSILON) as tf.Tensor4D;
      return (cb.relu ? tf.relu(y) : y) as tf.Tensor4D;
    };

    let h = path.input(x);
    for (const cb of spec.stem.convs) h = convBn(h, cb);
    if (spec.stem.maxPool) h = path.maxPool(h);
    for (const block of spec.blocks) {
      let a = h;
      for (const cb of block.pathA) a = convBn(a, cb);
      let b = h;
      if (block.shortcut) {
        if (block.shortcut.avgPool) b = path.avgPool(b);
        b = convBn(b, block.shortcut.convBn);
      }
      h = path.residualRelu(a, b);
    }
    const fcWeight = param('fc.weight') as tf.Tensor2D;
    if (spec.head) {
      // FCN (§6.2): the classifier at every pixel of the head's output, as one GEMM over the
      // pixels, then the scores upsampled to the input: logits [n · height · width, classes].
      const features = path.features(convBn(h, spec.head.convBn, trainingStep), fcWeight.shape[0]);
      const [n, fh, fw, channels] = features.shape;
      const scores = tf.add(
        heavy.matMul(tf.reshape(features, [n * fh * fw, channels]), fcWeight),
        param('fc.bias'),
      );
      const [, height, width] = x.shape;
      const upsampled = bilinearUpsample(
        tf.reshape(scores, [n, fh, fw, spec.classes]),
        height,
        width,
      );
      return { logits: tf.reshape(upsampled, [n * height * width, spec.classes]), moments };
    }
    const pooled = path.globalAvgPool(h, fcWeight.shape[0]);
    const logits = tf.add(heavy.matMul(pooled, fcWeight), param('fc.bias')) as tf.Tensor2D;
    return { logits, moments };
  }

  return {
    spec,
    input,
    classes: spec.classes,
    parameters,
    trainableParameters: frozenBackbone
      ? parameters.filter((p) => isClassifier(p.spec.name))
      : parameters,
    forward,
    predict: (x) => tf.tidy(() => forward(x, false).logits),
    updateRunningStats(moments) {
      const layers = moments.flatMap((m) => {
        const stats = running.get(m.name);
        return stats ? [{ running: stats, batch: m }] : [];
      });
      // On WebGPU, in place, several layers per dispatch (kernels/running-stats.ts) instead of
      // six tfjs ops per layer; a layer whose statistics another tensor shares, one each.
      const fused = fusedBatchNorm && tf.getBackend() === 'webgpu';
      tf.tidy(() => {
        if (fused) {
          const { groups, others } = groupForInPlace(
            layers,
            runningStatsLayersPerDispatch(),
            (l) => [l.running.mean, l.running.variance],
            (l) => [l.batch.mean, l.batch.variance],
          );
          for (const group of groups) updateRunningStatsInPlace(group, BN_MOMENTUM);
          for (const { running: stats, batch } of others) {
            const [mean, variance] = updatedRunningStats(stats, batch, BN_MOMENTUM);
            stats.mean.assign(mean);
            stats.variance.assign(variance);
          }
          return;
        }
        for (const { running: stats, batch } of layers) {
          stats.mean.assign(
            tf.add(tf.mul(stats.mean, BN_MOMENTUM), tf.mul(batch.mean, 1 - BN_MOMENTUM)),
          );
          stats.variance.assign(
            tf.add(tf.mul(stats.variance, BN_MOMENTUM), tf.mul(batch.variance, 1 - BN_MOMENTUM)),
          );
        }
      });
    },
    tensorCount: () => parameters.length + 2 * running.size,
    namedTensors: () => [
      ...parameters.map((p) => ({ name: p.spec.name, tensor: p.variable as tf.Tensor })),
      ...[...running].flatMap(([name, s]) => [
        { name: `${name}.running_mean`, tensor: s.mean as tf.Tensor },
        { name: `${name}.running_var`, tensor: s.variance as tf.Tensor },
      ]),
    ],
    dispose() {
      for (const p of parameters) p.variable.dispose();
      for (const s of running.values()) {
        s.mean.dispose();
        s.variance.dispose();
      }
    },
  };
}
