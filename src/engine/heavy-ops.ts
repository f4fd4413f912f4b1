import * as tf from '@tensorflow/tfjs';
import { CONV_OPS, type ConvOp, type KernelSetting } from '../autotune/plan';
import { convGeometry, type ConvGeometry } from './kernels/conv-geometry';
import { chooseConvKernel, type ConvKernel } from './kernels/conv-registry';
import { directConvApplies, paddedChannels, type ConvPrecision } from './kernels/direct-conv';
import { deviceHasShaderF16, type ShaderSource } from './kernels/dispatch';
import { matMulF16, matMulFilterGradF16, matMulInputGradF16 } from './kernels/f16-kernels';
import type { Precision } from './kernels/gemm-wgsl';

/**
 * The two heavy ops of the ResNet, swappable: f32 or §3.2's f16, each convolution op (forward,
 * input gradient, filter gradient) run by the kernel that `kernels` chooses for its exact shape
 * (kernels/conv-registry.ts: direct, tiled or stock tfjs; tuned per adapter by
 * engine/autotune). Both are wired in with tf.customGrad so that the backward pass runs our
 * kernels too. Weights stay f32 tensors (the master copies); the f16 kernels cast them to f16 as
 * they load.
 */
export interface HeavyOps {
  precision: ConvPrecision;
  conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D;
  matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D;
  /** Which kernel runs each convolution op; null for the stock reference ops. */
  kernels: ConvKernelChoice | null;
}

/** The owner of the kernel choice of one set of ops: the setting and the tuned table. */
export interface ConvKernelChoice {
  readonly setting: KernelSetting;
  /** Tuned kernel ids by convShapeKey, filled by the autotuner before the first step. */
  readonly tuned: Map<string, string>;
  choose(op: ConvOp, g: ConvGeometry): ConvKernel;
  /** Our shaders the three ops of this convolution will run (for compiling ahead). */
  shaders(g: ConvGeometry): ShaderSource[];
}

function kernelChoice(precision: ConvPrecision, setting: KernelSetting): ConvKernelChoice {
  const tuned = new Map<string, string>();
  const choose = (op: ConvOp, g: ConvGeometry) =>
    chooseConvKernel(op, g, precision, setting, tuned);
  return {
    setting,
    tuned,
    choose,
    shaders: (g) => CONV_OPS.flatMap((op) => choose(op, g).shaders(op, g, precision)),
  };
}

/** Stock TensorFlow.js f32 ops (reference for tests, and what non-WebGPU backends run). */
export const STOCK_F32_OPS: HeavyOps = {
  precision: 'f32',
  conv2d: (x, w, stride, pad) => tf.conv2d(x, w, stride, pad),
  matMul: (x, w) => tf.matMul(x, w),
  kernels: null,
};

/**
 * The geometry our kernels run a convolution with: an RGB stem's 3 input channels are
 * zero-padded to 4 where that lets the vec4 kernels take it (x and w alike, so the result is
 * unchanged). The one rule, for the ops, the tuner and the ahead-of-time compile.
 */
export function kernelGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number,
  pad: number,
): ConvGeometry {
  const inChannels = xShape[3]!;
  const padded = paddedChannels(inChannels);
  const channels = directConvApplies(padded, wShape[3]!) ? padded : inChannels;
  return convGeometry(
    [xShape[0]!, xShape[1]!, xShape[2]!, channels],
    [wShape[0]!, wShape[1]!, channels, wShape[3]!],
    stride,
    pad,
  );
}

/** conv2d through the chosen kernels, differentiable in x and w (tf.customGrad). */
function customConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  g: ConvGeometry,
  choice: ConvKernelChoice,
  precision: ConvPrecision,
): tf.Tensor4D {
  const op = tf.customGrad((xIn, wIn, save) => {
    const xs = xIn as tf.Tensor4D;
    const ws = wIn as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xs, ws]);
    return {
      value: choice.choose('forward', g).forward(xs, ws, g, precision),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          choice.choose('inputGrad', g).inputGrad(dy, sw, g, precision),
          choice.choose('filterGrad', g).filterGrad(sx, dy, g, precision),
        ];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}

/** Zero channels appended to the last axis of x (or the input-channel axis of w). */
function padAxis(t: tf.Tensor4D, axis: 2 | 3, extra: number): tf.Tensor4D {
  const paddings: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  paddings[axis] = [0, extra];
  return tf.pad(t, paddings);
}

function convOf(choice: ConvKernelChoice, precision: ConvPrecision): HeavyOps['conv2d'] {
  return (x, w, stride, pad) => {
    if (tf.getBackend() !== 'webgpu') return tf.conv2d(x, w, stride, pad);
    const g = kernelGeometry(x.shape, w.shape, stride, pad);
    const extra = g.inChannels - x.shape[3];
    if (extra === 0) return customConv2d(x, w, g, choice, precision);
    // Callers run the model inside tf.tidy, which frees the padded copies; tf.pad's gradient
    // slices the padding off again.
    return customConv2d(padAxis(x, 3, extra), padAxis(w, 2, extra), g, choice, precision);
  };
}

/** f32 ops whose convolutions run the kernels `setting` picks ('auto': tuned, else default). */
export function f32Ops(setting: KernelSetting = 'auto'): HeavyOps {
  const kernels = kernelChoice('f32', setting);
  return {
    precision: 'f32',
    conv2d: convOf(kernels, 'f32'),
    matMul: (x, w) => tf.matMul(x, w),
    kernels,
  };
}

/** f32 with the default kernel rule (direct where the channels allow); never tuned. */
export const F32_OPS: HeavyOps = f32Ops('auto');

/** 'f16' where the device has 'shader-f16', else 'emulated' (f16 rounding in f32 shaders). */
export function availableF16Precision(): Precision {
  return deviceHasShaderF16() ? 'f16' : 'emulated';
}

export function f16Ops(
  precision: Precision = availableF16Precision(),
  setting: KernelSetting = 'auto',
): HeavyOps {
  const kernels = kernelChoice(precision, setting);
  return {
    precision,
    conv2d: convOf(kernels, precision),
    kernels,
    matMul(x, w) {
      const op = tf.customGrad((xIn, wIn, save) => {
        const xs = xIn as tf.Tensor2D;
        const ws = wIn as tf.Tensor2D;
        (save as tf.GradSaveFunc)([xs, ws]);
        return {
          value: matMulF16(xs, ws, precision),
          gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
            const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
            return [matMulInputGradF16(dy, sw, precision), matMulFilterGradF16(sx, dy, precision)];
          },
        };
      });
      return op(x, w) as tf.Tensor2D;
    },
  };
}
