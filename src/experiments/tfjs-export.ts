import { buildResNetSpec, resnetOptionsFromConfig } from '../architecture/resnet-spec';
import { classCount } from '../config/consistency';
import type { ExperimentConfig } from '../config/params';
import { toQuery } from '../config/url-codec';
import { NORMALIZE_MEAN, NORMALIZE_STD } from '../tricks/preprocessing';
import type { NamedWeight } from '../run/events';

/**
 * A trained run in the TensorFlow.js model format: model.json + weights.bin. The weights follow
 * tfjs's weights-manifest layout (float32, little-endian, concatenated in manifest order), so
 * `tf.io.decodeWeights(bin, manifest[0].weights)` returns them by name. The topology is not a Keras
 * LayersModel: `modelTopology` is this app's ResNet spec (the same one the engine builds from),
 * with NHWC input, the normalization to apply, and the experiment's URL query.
 */

export const MODEL_FORMAT = 'tricks-playground-resnet';

export interface TfjsArtifacts {
  modelJson: string;
  weightsBin: Uint8Array;
}

export function buildTfjsArtifacts(
  config: ExperimentConfig,
  weights: readonly NamedWeight[],
  runId: string,
  weightsFileName = 'weights.bin',
): TfjsArtifacts {
  const classes = classCount(config);
  const spec = buildResNetSpec(resnetOptionsFromConfig(config, classes));
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const bin = new Float32Array(total);
  let offset = 0;
  for (const w of weights) {
    bin.set(w.values, offset);
    offset += w.values.length;
  }
  const modelJson = {
    format: MODEL_FORMAT,
    generatedBy: 'Tricks Playground',
    convertedBy: null,
    modelTopology: {
      run: runId,
      experiment: toQuery({ ...config, autorun: false }),
      input: { shape: [null, config.input, config.input, 3], layout: 'NHWC', dtype: 'float32' },
      normalization: {
        description: '(pixel in 0..255 − mean) / std, per RGB channel',
        mean: NORMALIZE_MEAN,
        std: NORMALIZE_STD,
      },
      batchNorm: { epsilon: 1e-5, statistics: '<bn>.running_mean and <bn>.running_var' },
      classes,
      spec,
    },
    weightsManifest: [
      {
        paths: [weightsFileName],
        weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
      },
    ],
  };
  return {
    modelJson: JSON.stringify(modelJson, null, 1),
    weightsBin: new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength),
  };
}
