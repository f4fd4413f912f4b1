import * as tf from '@tensorflow/tfjs-core';

/**
 * ResNet-D's shortcut pool (paper §4.2, Fig. 2c): 2×2 average, stride 2, ceil mode, padding not
 * counted (GluonCV and timm: count_include_pad=False), so an odd edge averages the 1 or 2 values
 * its window holds.
 *
 * tf.avgPool(x, 2, 2, 'same') computes that forward, but its gradient (tfjs 4.22, every backend)
 * divides by 4 everywhere, padding or not: an odd edge got ¼ instead of ½ or 1 of its gradient,
 * so the shortcut's gradient was wrong whenever a downsampling block had an odd input (36 px with
 * the small stem, 112 with the ImageNet stem). Here the odd edge is zero-padded, pooled without
 * padding (every window full: the stock gradient is right) and each window rescaled by 4/count,
 * so autodiff's gradient is the true one. Two extra element-wise ops on a shortcut only.
 */
export function avgPool2x2Ceil(x: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = x.shape;
  const padH = height % 2;
  const padW = width % 2;
  if (padH === 0 && padW === 0) return tf.avgPool(x, 2, 2, 'valid');
  const padded = tf.pad(x, [
    [0, 0],
    [0, padH],
    [0, padW],
    [0, 0],
  ]);
  return tf.mul(tf.avgPool(padded, 2, 2, 'valid'), windowScale(height, width));
}

/** [1, ⌈H/2⌉, ⌈W/2⌉, 1]: 4 / the count of real inputs in each window (1 inside, 2 or 4 on an odd edge). */
function windowScale(height: number, width: number): tf.Tensor4D {
  const outH = Math.ceil(height / 2);
  const outW = Math.ceil(width / 2);
  const scale = new Float32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      scale[i * outW + j] = 4 / (Math.min(2, height - 2 * i) * Math.min(2, width - 2 * j));
    }
  }
  return tf.tensor4d(scale, [1, outH, outW, 1]);
}
