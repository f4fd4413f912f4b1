import * as tf from '@tensorflow/tfjs-core';
import type { NamedWeight } from '../run/events';
import { isClassifier, type ResNetModel } from './model';

/**
 * Why `weights` cannot be the backbone of `model` (a tensor missing, or of another shape: another
 * depth, width, stem or tweak), in words; null when every tensor before the classifier matches.
 */
export function backboneMismatch(
  model: ResNetModel,
  weights: readonly NamedWeight[],
  backboneId: string,
): string | null {
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const { name, tensor } of model.namedTensors()) {
    if (isClassifier(name)) continue;
    const weight = byName.get(name);
    if (!weight) {
      return `Backbone ${backboneId} has no tensor ${name}: it is another architecture (depth, stem or ResNet-B/C/D tweaks) than this run's.`;
    }
    if (weight.shape.join('x') !== tensor.shape.join('x')) {
      return `Backbone ${backboneId}'s ${name} is [${weight.shape.join(', ')}], this run's [${tensor.shape.join(', ')}]: another width or depth than this run's.`;
    }
  }
  return null;
}

/**
 * Starts `model` from a trained backbone (paper §6): every parameter and BN statistic before the
 * classifier takes the backbone's value; the classifier keeps its fresh initialization. Throws
 * the mismatch when the architectures differ.
 */
export function assignBackbone(
  model: ResNetModel,
  weights: readonly NamedWeight[],
  backboneId: string,
): void {
  const problem = backboneMismatch(model, weights, backboneId);
  if (problem) throw new Error(problem);
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const { name, tensor } of model.namedTensors()) {
    if (isClassifier(name)) continue;
    const weight = byName.get(name)!;
    if (!(tensor instanceof tf.Variable)) throw new Error(`${name} is not a variable`);
    tf.tidy(() => tensor.assign(tf.tensor(weight.values, tensor.shape, 'float32')));
  }
}
