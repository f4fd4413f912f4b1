import * as tf from '@tensorflow/tfjs-core';

/**
 * An op with a custom gradient, like tf.customGrad, whose input gradients are computed only for
 * the inputs that need one.
 *
 * tf.customGrad's gradFunc returns every input's gradient at once, so a convolution computes its
 * input gradient even where its input is the preprocessed image: a whole backward convolution per
 * step that nobody reads. tfjs's tape itself asks for gradients per input, and only for inputs on
 * a path from the tensors being differentiated (getFilteredNodesXToY prunes the others). This runs
 * the op as customGrad does, through the engine's runKernelFunc (absent from tfjs's public
 * typings, hence the checked cast), but hands the tape one gradient function per input.
 */

type GradientFunctions<Inputs> = { [K in keyof Inputs]: () => tf.Tensor };

interface CustomKernelInvocation {
  forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
  backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: Record<string, tf.Tensor>;
}

interface EngineInternals {
  runKernelFunc(invocation: CustomKernelInvocation): tf.Tensor;
}

function engineInternals(): EngineInternals {
  const engine = tf.engine() as unknown as Partial<EngineInternals>;
  if (typeof engine.runKernelFunc !== 'function') {
    throw new Error("tfjs's engine lacks 'runKernelFunc': customGradPerInput needs tfjs-core 4.x");
  }
  return engine as EngineInternals;
}

/**
 * `forward` computes the value from `inputs` and may `save` tensors for the backward pass (kept
 * only while a gradient tape records); `gradients` gives, for each input, a function computing
 * its gradient from dy and the saved tensors: the tape calls only those of inputs that need one.
 */
export function customGradPerInput<Inputs extends Record<string, tf.Tensor>>(
  inputs: Inputs,
  forward: (inputs: Inputs, save: tf.GradSaveFunc) => tf.Tensor,
  gradients: (dy: tf.Tensor, saved: tf.Tensor[]) => GradientFunctions<Inputs>,
): tf.Tensor {
  return engineInternals().runKernelFunc({
    forwardFunc: (_backend, save) => forward(inputs, save),
    backwardsFunc: (dy, saved) => gradients(dy, saved),
    inputs,
  });
}
