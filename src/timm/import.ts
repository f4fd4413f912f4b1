import { blockKindOf, type ResNetOptions } from '../architecture/resnet-spec';
import type { ExperimentConfig } from '../config/params';
import { parseQuery } from '../config/url-codec';
import type { NamedWeight } from '../run/events';
import { TIMM_FILES } from './export';
import { optionsFromTimmModelJson, type TimmModelJson } from './model-json';
import {
  decodeSafetensors,
  DEFAULT_SAFETENSORS_LIMITS,
  type SafetensorsLimits,
} from './safetensors';
import { fromTimmStateDict } from './state-dict';

/**
 * "Load checkpoint": model.json + model.safetensors, written by this app or by timm for the same
 * architecture, become our weights. Every refusal names the first thing that does not match.
 */

export class CheckpointError extends Error {}

/** What the user picked: a folder's files or loose files (browser File objects fit). */
export interface PickedFile {
  name: string;
  size: number;
}

/** model.json's size cap: the real one is about 1 kB. */
const MAX_MODEL_JSON_BYTES = 1024 ** 2;

/**
 * model.json and the weights among the picked files (sample.safetensors and load_timm.py are
 * ignored), refused on size before anything is read.
 */
export function pickCheckpointFiles<F extends PickedFile>(
  files: readonly F[],
  limits: SafetensorsLimits = DEFAULT_SAFETENSORS_LIMITS,
): { modelJson: F; weights: F } {
  const baseName = (f: F) => f.name.split('/').pop()!;
  const modelJson = files.find((f) => baseName(f) === TIMM_FILES.config);
  const candidates = files.filter(
    (f) => baseName(f).endsWith('.safetensors') && baseName(f) !== TIMM_FILES.sample,
  );
  const weights = candidates.find((f) => baseName(f) === TIMM_FILES.weights) ?? candidates[0];
  if (!modelJson || !weights) {
    throw new CheckpointError(
      `A checkpoint needs ${TIMM_FILES.config} and ${TIMM_FILES.weights}; got ${files.map(baseName).join(', ') || 'no files'}`,
    );
  }
  if (modelJson.size > MAX_MODEL_JSON_BYTES) {
    throw new CheckpointError(`${modelJson.name} is ${modelJson.size} bytes: not a model.json`);
  }
  if (weights.size > limits.maxFileBytes) {
    throw new CheckpointError(
      `${weights.name} is ${weights.size} bytes, more than the ${limits.maxFileBytes} this page reads`,
    );
  }
  return { modelJson, weights };
}

export interface TimmCheckpoint {
  options: ResNetOptions;
  /** Our names and layouts, ready for the engine. */
  weights: NamedWeight[];
  /** The experiment's URL query when this app wrote model.json; null otherwise. */
  query: string | null;
}

export function readTimmCheckpoint(
  modelJsonText: string,
  weightsBytes: Uint8Array,
  limits: SafetensorsLimits = DEFAULT_SAFETENSORS_LIMITS,
): TimmCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(modelJsonText);
  } catch (err) {
    throw new CheckpointError(`model.json is not JSON: ${(err as Error).message}`);
  }
  const options = optionsFromTimmModelJson(json);
  const { tensors } = decodeSafetensors(weightsBytes, limits);
  const weights = fromTimmStateDict(options, tensors);
  const source = (json as Partial<TimmModelJson>).source;
  return { options, weights, query: typeof source?.query === 'string' ? source.query : null };
}

/**
 * The experiment of a loaded checkpoint: its own query when it has one, else `base` (the page's
 * settings, whose dataset it is evaluated on), with the checkpoint's architecture.
 */
export function checkpointConfig(
  base: ExperimentConfig,
  checkpoint: TimmCheckpoint,
): ExperimentConfig {
  const config = checkpoint.query === null ? base : parseQuery(checkpoint.query).config;
  const { options } = checkpoint;
  return {
    ...config,
    model: options.model,
    width: options.width,
    input: options.input,
    stem: options.stem,
    // Basic blocks have no A/B difference: the query's own setting stays.
    tweak_b: blockKindOf(options.model) === 'bottleneck' ? options.tweakB : config.tweak_b,
    tweak_c: options.tweakC,
    tweak_d: options.tweakD,
    autorun: false,
  };
}
