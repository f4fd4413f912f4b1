import * as tf from '@tensorflow/tfjs';
import {
  conv2dDirect,
  conv2dFilterGradDirect,
  conv2dInputGradDirect,
  directConvApplies,
  paddedChannels,
  type ConvPrecision,
} from '../kernels/direct-conv';
import { deviceHasShaderF16 } from '../kernels/dispatch';
import {
  conv2dF16,
  conv2dFilterGradF16,
  conv2dInputGradF16,
  matMulF16,
  matMulFilterGradF16,
  matMulInputGradF16,
} from '../kernels/f16-kernels';
import type { Precision } from '../kernels/gemm-wgsl';

/**
 * The two heavy ops of the ResNet, swappable: f32 (our direct convolution kernels on WebGPU,
 * stock tfjs elsewhere), or our f16 kernels. Both are wired in with tf.customGrad so that the
 * backward pass runs our input- and filter-gradient kernels too. Weights stay f32 tensors (the
 * master copies); the f16 kernels cast them to f16 as they load.
 */
export interface HeavyOps {
  precision: Precision | 'f32';
  conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D;
  matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D;
}

/** Stock TensorFlow.js f32 ops (reference for tests, and what non-WebGPU backends run). */
export const STOCK_F32_OPS: HeavyOps = {
  precision: 'f32',
  conv2d: (x, w, stride, pad) => tf.conv2d(x, w, stride, pad),
  matMul: (x, w) => tf.matMul(x, w),
};

/** A convolution's three kernels (forward, input gradient, filter gradient) at one stride/pad. */
interface ConvKernels {
  forward(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D;
  inputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: [number, number, number, number]): tf.Tensor4D;
  filterGrad(
    x: tf.Tensor4D,
    dy: tf.Tensor4D,
    wShape: [number, number, number, number],
  ): tf.Tensor4D;
}

/** conv2d through `kernels`, differentiable in x and w (tf.customGrad). */
function customConv2d(x: tf.Tensor4D, w: tf.Tensor4D, kernels: ConvKernels): tf.Tensor4D {
  const op = tf.customGrad((xIn, wIn, save) => {
    const xs = xIn as tf.Tensor4D;
    const ws = wIn as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xs, ws]);
    return {
      value: kernels.forward(xs, ws),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [kernels.inputGrad(dy, sw, sx.shape), kernels.filterGrad(sx, dy, sw.shape)];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}

/**
 * The direct kernels when the output channels are a multiple of 4, else null. A stem whose input
 * has 3 channels is zero-padded to 4 (x and w alike, so the result is unchanged; tf.pad's gradient
 * slices the padding off again).
 */
function directConvOrNull(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  precision: ConvPrecision,
): tf.Tensor4D | null {
  const inChannels = x.shape[3];
  const padded = paddedChannels(inChannels);
  if (tf.getBackend() !== 'webgpu' || !directConvApplies(padded, w.shape[3])) return null;
  const kernels: ConvKernels = {
    forward: (xs, ws) => conv2dDirect(xs, ws, stride, pad, precision),
    inputGrad: (dy, ws, xShape) => conv2dInputGradDirect(dy, ws, xShape, stride, pad, precision),
    filterGrad: (xs, dy, wShape) => conv2dFilterGradDirect(xs, dy, wShape, stride, pad, precision),
  };
  if (padded === inChannels) return customConv2d(x, w, kernels);
  const extra = padded - inChannels;
  // Callers run the model inside tf.tidy, which frees the padded copies.
  return customConv2d(
    tf.pad(x, [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, extra],
    ]),
    tf.pad(w, [
      [0, 0],
      [0, 0],
      [0, extra],
      [0, 0],
    ]),
    kernels,
  );
}

/** f32: our direct kernels where the channels allow (kernels/direct-conv.ts), else stock tfjs. */
export const F32_OPS: HeavyOps = {
  precision: 'f32',
  conv2d: (x, w, stride, pad) =>
    directConvOrNull(x, w, stride, pad, 'f32') ?? tf.conv2d(x, w, stride, pad),
  matMul: (x, w) => tf.matMul(x, w),
};

/** 'f16' where the device has 'shader-f16', else 'emulated' (f16 rounding in f32 shaders). */
export function availableF16Precision(): Precision {
  return deviceHasShaderF16() ? 'f16' : 'emulated';
}

export function f16Ops(precision: Precision = availableF16Precision()): HeavyOps {
  return {
    precision,
    conv2d(x, w, stride, pad) {
      const direct = directConvOrNull(x, w, stride, pad, precision);
      if (direct) return direct;
      // Channels that are not multiples of 4: the tiled f16 GEMM kernels.
      return customConv2d(x, w, {
        forward: (xs, ws) => conv2dF16(xs, ws, stride, pad, precision),
        inputGrad: (dy, ws, xShape) => conv2dInputGradF16(dy, ws, xShape, stride, pad, precision),
        filterGrad: (xs, dy, wShape) => conv2dFilterGradF16(xs, dy, wShape, stride, pad, precision),
      });
    },
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
