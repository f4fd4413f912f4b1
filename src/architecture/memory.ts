import { classCount } from '../config/consistency';
import type { ExperimentConfig } from '../config/params';
import { buildResNetSpec, resnetOptionsFromConfig } from './resnet-spec';
import { summarizeResNet, type ArchitectureSummary } from './summary';

/**
 * A pre-flight estimate of the GPU memory a training run needs, from the architecture summary.
 * tfjs keeps, per conv-BN-ReLU, the conv output, the BN output and the ReLU output for the
 * backward pass, and every parameter has a weight, a gradient and a momentum buffer (f32).
 * It is an estimate: the allocator's reuse and the backend's own buffers come on top.
 */

const BYTES_PER_FLOAT = 4;
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

export function estimateTrainingMemory(
  summary: ArchitectureSummary,
  batch: number,
  input: number,
): MemoryEstimate {
  const parameterBytes = summary.params * BUFFERS_PER_PARAMETER * BYTES_PER_FLOAT;
  const inputElements = input * input * 3;
  let perImage = 2 * inputElements; // raw and preprocessed batch
  let largest = inputElements;
  for (const layer of summary.layers) {
    const elements = layer.output[0] * layer.output[1] * layer.output[2];
    perImage += SAVED_TENSORS_PER_LAYER * elements;
    largest = Math.max(largest, elements);
  }
  const activationBytes = perImage * batch * BYTES_PER_FLOAT;
  return {
    parameterBytes,
    activationBytes,
    totalBytes: parameterBytes + activationBytes,
    largestTensorBytes: largest * batch * BYTES_PER_FLOAT,
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
    return estimateTrainingMemory(summarizeResNet(spec, config.input), config.batch, config.input);
  } catch {
    return null;
  }
}
