import { classCount } from '../config/consistency';
import type { ExperimentConfig } from '../config/params';
import {
  allConvBns,
  buildResNetSpec,
  resnetOptionsFromConfig,
  type ResNetSpec,
} from './resnet-spec';
import { summarizeResNet, type ArchitectureSummary } from './summary';

/**
 * A pre-flight estimate of the GPU memory a training run needs, from the architecture summary.
 * tfjs keeps, per conv-BN-ReLU, the conv output, the BN output and the ReLU output for the
 * backward pass, and every parameter has a weight, a gradient and a momentum buffer (f32).
 * It is an estimate: the allocator's reuse and the backend's own buffers come on top.
 *
 * FP16 runs store activations and their gradients as f16, two per 32-bit word (the engine's
 * packed layout, src/engine/packed/layout.ts): the saved activations take half the bytes, and
 * each parameter gains its f16 copy (2 bytes) next to the f32 master weight, gradient and
 * momentum. The input batch (raw and preprocessed) stays f32. So a model too big in f32 may fit
 * in FP16. (A network with an odd channel count keeps f32 storage in FP16: packedStorageFits.)
 */

const BYTES_PER_FLOAT = 4;
const BYTES_PER_HALF = 2;
/** Conv output, BN output and ReLU output kept for the backward pass. */
const SAVED_TENSORS_PER_LAYER = 3;
/** Weights, gradients and NAG momentum. */
const BUFFERS_PER_PARAMETER = 3;

export interface MemoryEstimate {
  /** Weights, gradients and momentum. */
  parameterBytes: number;
  /** Activations kept for the backward pass of one batch, and the batch itself. */
  activationBytes: number;
  totalBytes: number;
  /** The largest single tensor: it must fit in one GPU buffer binding. */
  largestTensorBytes: number;
}

/** How a run stores activations and gradients: f32, or FP16's packed f16. */
export type StoredActivations = 'f32' | 'f16';

/**
 * Whether every activation of `spec` can be stored packed, two f16 channels per 32-bit word: every
 * conv output has an even channel count (the RGB input is zero-padded to 4 before packing). The
 * engine's FP16 runs keep f32 storage otherwise.
 */
export function packedStorageFits(spec: ResNetSpec): boolean {
  return allConvBns(spec).every(({ conv }) => conv.outChannels % 2 === 0);
}

/** packedStorageFits for `config`'s network (true when the architecture is not valid). */
export function configPackable(config: ExperimentConfig): boolean {
  try {
    return packedStorageFits(buildResNetSpec(resnetOptionsFromConfig(config, classCount(config))));
  } catch {
    return true;
  }
}

/** How a run of `config` (whose network is `spec`) stores its activations. */
export function storedActivationsOf(config: ExperimentConfig, spec: ResNetSpec): StoredActivations {
  return config.fp16 && packedStorageFits(spec) ? 'f16' : 'f32';
}

export function estimateTrainingMemory(
  summary: ArchitectureSummary,
  batch: number,
  input: number,
  storage: StoredActivations = 'f32',
): MemoryEstimate {
  const bytesPerActivation = storage === 'f16' ? BYTES_PER_HALF : BYTES_PER_FLOAT;
  const f16Copy = storage === 'f16' ? BYTES_PER_HALF : 0;
  const parameterBytes = summary.params * (BUFFERS_PER_PARAMETER * BYTES_PER_FLOAT + f16Copy);
  const inputBytes = input * input * 3 * BYTES_PER_FLOAT;
  let perImage = 2 * inputBytes; // raw and preprocessed batch
  let largest = inputBytes;
  for (const layer of summary.layers) {
    const bytes = layer.output[0] * layer.output[1] * layer.output[2] * bytesPerActivation;
    perImage += SAVED_TENSORS_PER_LAYER * bytes;
    largest = Math.max(largest, bytes);
  }
  const activationBytes = perImage * batch;
  return {
    parameterBytes,
    activationBytes,
    totalBytes: parameterBytes + activationBytes,
    largestTensorBytes: largest * batch,
  };
}

/** Why a run cannot fit the adapter's buffer limit, or null when it can. */
export function bufferLimitProblem(
  estimate: MemoryEstimate,
  maxStorageBufferBindingSize: number | undefined,
): string | null {
  if (!maxStorageBufferBindingSize || estimate.largestTensorBytes <= maxStorageBufferBindingSize) {
    return null;
  }
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
  return (
    `The largest activation (${mb(estimate.largestTensorBytes)}) exceeds this GPU's buffer limit ` +
    `(${mb(maxStorageBufferBindingSize)}): lower the batch size, the input size or the width.`
  );
}

/** The estimate for a whole experiment config; null when the architecture is not valid. */
export function trainingMemoryOf(config: ExperimentConfig): MemoryEstimate | null {
  try {
    const spec = buildResNetSpec(resnetOptionsFromConfig(config, classCount(config)));
    return estimateTrainingMemory(
      summarizeResNet(spec, config.input),
      config.batch,
      config.input,
      storedActivationsOf(config, spec),
    );
  } catch {
    return null;
  }
}
