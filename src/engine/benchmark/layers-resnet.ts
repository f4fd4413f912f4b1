import { train } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-layers';
import type { ConvBnSpec, ResNetSpec } from '../../architecture';
import { BN_EPSILON, BN_MOMENTUM } from '../model';

/**
 * The stock competitor: the same ResNet (same spec: convs, BN, ReLU, residual adds, pooling, FC)
 * written the way a TensorFlow.js user would, with tf.layers, compiled with stock Nesterov
 * momentum SGD and trained with trainOnBatch. Weight decay is the stock L2 kernel regularizer
 * (λ = wd / 2 gives the same gradient wd·w as our decoupled term). Convs use 'same' padding,
 * which for stride 2 pads bottom/right instead of both sides: same cost, same output shape.
 */

export function buildLayersResNet(
  spec: ResNetSpec,
  input: number,
  weightDecay: number,
): tf.LayersModel {
  const regularizer = weightDecay > 0 ? tf.regularizers.l2({ l2: weightDecay / 2 }) : undefined;
  const convBn = (x: tf.SymbolicTensor, cb: ConvBnSpec): tf.SymbolicTensor => {
    let y = tf.layers
      .conv2d({
        filters: cb.conv.outChannels,
        kernelSize: cb.conv.kernel,
        strides: cb.conv.stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: 'glorotUniform',
        ...(regularizer ? { kernelRegularizer: regularizer } : {}),
        name: cb.conv.name,
      })
      .apply(x) as tf.SymbolicTensor;
    y = tf.layers
      .batchNormalization({
        axis: -1,
        momentum: BN_MOMENTUM,
        epsilon: BN_EPSILON,
        gammaInitializer: cb.bn.zeroGamma ? 'zeros' : 'ones',
        name: cb.bn.name,
      })
      .apply(y) as tf.SymbolicTensor;
    return cb.relu ? (tf.layers.reLU().apply(y) as tf.SymbolicTensor) : y;
  };
  const inputs = tf.input({ shape: [input, input, 3] });
  let h = inputs;
  for (const cb of spec.stem.convs) h = convBn(h, cb);
  if (spec.stem.maxPool) {
    h = tf.layers
      .maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })
      .apply(h) as tf.SymbolicTensor;
  }
  for (const block of spec.blocks) {
    let a = h;
    for (const cb of block.pathA) a = convBn(a, cb);
    let b = h;
    if (block.shortcut) {
      if (block.shortcut.avgPool) {
        b = tf.layers
          .averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' })
          .apply(b) as tf.SymbolicTensor;
      }
      b = convBn(b, block.shortcut.convBn);
    }
    h = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  }
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: spec.classes,
      activation: 'softmax',
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
      name: spec.fc.name,
    })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: logits });
}

/** Compiles with stock Nesterov momentum (tf.train.momentum, useNesterov) and cross-entropy. */
export function compileStock(model: tf.LayersModel, lr: number, momentum: number): void {
  model.compile({
    optimizer: train.momentum(lr, momentum, true),
    loss: 'categoricalCrossentropy',
  });
}
