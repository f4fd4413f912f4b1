import * as tf from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../data/dataset';
import type { NamedWeight } from '../run/events';
import { nhwcToNchw } from '../timm/layout';
import { buildResNetSpec, type ResNetOptions } from '../architecture/resnet-spec';
import { createRng } from '../tricks';
import {
  buildTimmExport,
  type ExportFile,
  type TimmExportRequest,
  type TimmSample,
} from '../timm/export';
import { readCurrentValues } from './kernels/dispatch';
import { createResNetModel, type ResNetModel } from './model';
import { gatherImages, preprocessBatch, validationAugmentation } from './preprocess';

/** The tensor side of the timm export and of "Load checkpoint". */

export const TIMM_SAMPLE_IMAGES = 8;

/**
 * The first validation images as the network sees them (validation transform, normalized) in
 * NCHW, and the model's eval-mode logits for them.
 */
export async function timmSample(
  model: ResNetModel,
  split: ImageSplit,
  height: number,
  width: number,
  count = TIMM_SAMPLE_IMAGES,
): Promise<TimmSample> {
  const n = Math.min(count, split.count);
  if (n === 0) throw new Error('the dataset has no validation images for the sample');
  const indices = Array.from({ length: n }, (_, i) => i);
  const pixels = gatherImages(split, indices, height * width * 3);
  const augmentation = validationAugmentation(n, height, width);
  const x = preprocessBatch(pixels, n, height, width, augmentation, model.input);
  let logits: tf.Tensor | null = null;
  try {
    logits = model.predict(x);
    const nhwc = (await x.data()) as Float32Array;
    const scores = new Float32Array(await logits.data());
    // An FCN's logits are per pixel, [n · input · input, classes] row-major: NHWC.
    const size = model.input;
    return {
      input: nhwcToNchw(nhwc, x.shape),
      logits: model.spec.head ? nhwcToNchw(scores, [n, size, size, model.classes]) : scores,
      count: n,
    };
  } finally {
    x.dispose();
    logits?.dispose();
  }
}

/** Every tensor of the model (parameters and BN statistics), copied to the CPU. */
export async function readWeights(model: ResNetModel): Promise<NamedWeight[]> {
  return Promise.all(
    model.namedTensors().map(async ({ name, tensor }) => ({
      name,
      shape: [...tensor.shape],
      values: await readCurrentValues(tensor),
    })),
  );
}

/** The files of a timm export of a trained model; the sample comes from `split`. */
export async function timmExportFiles(
  model: ResNetModel,
  options: ResNetOptions,
  split: ImageSplit,
  size: { height: number; width: number },
  rest: Pick<TimmExportRequest, 'steps' | 'loadScript' | 'source'>,
): Promise<ExportFile[]> {
  const sample = await timmSample(model, split, size.height, size.width);
  const weights = await readWeights(model);
  return buildTimmExport({ options, weights, sample, ...rest });
}

/** A model of `options` holding `weights` (their initial values are never drawn from a seed). */
export function createModelWithWeights(
  options: ResNetOptions,
  weights: readonly NamedWeight[],
): ResNetModel {
  const model = createResNetModel(buildResNetSpec(options), options.input, createRng(0));
  try {
    assignWeights(model, weights);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Writes `weights` (parameters and BN statistics, by name) into `model`; all must match. */
export function assignWeights(model: ResNetModel, weights: readonly NamedWeight[]): void {
  const named = model.namedTensors();
  if (weights.length !== named.length) {
    throw new Error(`${weights.length} tensors for a model of ${named.length}`);
  }
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const { name, tensor } of named) {
    const weight = byName.get(name);
    if (!weight) throw new Error(`no tensor ${name} for the model`);
    if (weight.shape.join('x') !== tensor.shape.join('x')) {
      throw new Error(`${name} has shape [${weight.shape}], the model [${tensor.shape}]`);
    }
    if (!(tensor instanceof tf.Variable)) throw new Error(`${name} is not a variable`);
    tf.tidy(() => tensor.assign(tf.tensor(weight.values, tensor.shape, 'float32')));
  }
}
