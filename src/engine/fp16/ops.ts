import * as tf from '@tensorflow/tfjs';
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
 * The two heavy ops of the ResNet, swappable: stock tfjs f32, or our f16 kernels wired in with
 * tf.customGrad so that the backward pass runs our input- and filter-gradient kernels too.
 * Weights stay f32 tensors (the master copies); the kernels cast them to f16 as they load.
 */
export interface HeavyOps {
  /** 'f32' = stock TensorFlow.js. */
  precision: Precision | 'f32';
  conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D;
  matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D;
}

export const F32_OPS: HeavyOps = {
  precision: 'f32',
  conv2d: (x, w, stride, pad) => tf.conv2d(x, w, stride, pad),
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
      const op = tf.customGrad((xIn, wIn, save) => {
        const xs = xIn as tf.Tensor4D;
        const ws = wIn as tf.Tensor4D;
        (save as tf.GradSaveFunc)([xs, ws]);
        return {
          value: conv2dF16(xs, ws, stride, pad, precision),
          gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
            const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
            return [
              conv2dInputGradF16(dy, sw, sx.shape, stride, pad, precision),
              conv2dFilterGradF16(sx, dy, sw.shape, stride, pad, precision),
            ];
          },
        };
      });
      return op(x, w) as tf.Tensor4D;
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
