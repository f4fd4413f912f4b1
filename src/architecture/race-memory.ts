import type { ExperimentConfig } from '../config/params';
import { bufferLimitProblem, trainingMemoryOf } from './memory';

/**
 * WebGPU tells a page nothing about how much memory its GPU has, so a race (several networks
 * resident at once) is held to this total estimate: what an integrated GPU sharing 8 GB of system
 * memory can usually give one tab. A single run is not held to it (its user chose its size, and
 * an allocation failure names the estimate).
 */
export const RACE_MEMORY_BUDGET = 2 * 2 ** 30;

export const MAX_RACERS = 4;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/**
 * Why these racers cannot race on one GPU, in words, or null: fewer than 2 or more than 4
 * racers, a racer whose network is not valid or whose largest activation exceeds the buffer
 * limit, or estimates (weights, gradients, momenta and activations: memory.ts) whose sum exceeds
 * `budget`.
 */
export function raceProblem(
  configs: readonly ExperimentConfig[],
  maxStorageBufferBindingSize: number | undefined,
  budget: number = RACE_MEMORY_BUDGET,
): string | null {
  if (configs.length < 2 || configs.length > MAX_RACERS) {
    return `A race has 2 to ${MAX_RACERS} racers (this one has ${configs.length}).`;
  }
  let total = 0;
  const parts: string[] = [];
  for (const [i, config] of configs.entries()) {
    const memory = trainingMemoryOf(config);
    if (!memory) return `Racer ${i + 1}'s network is not valid at these settings.`;
    const limit = bufferLimitProblem(memory, maxStorageBufferBindingSize);
    if (limit) return `Racer ${i + 1}: ${limit}`;
    total += memory.totalBytes;
    parts.push(mb(memory.totalBytes));
  }
  if (total <= budget) return null;
  return (
    `This race needs about ${mb(total)} of GPU memory (${parts.join(' + ')}), more than the ` +
    `${mb(budget)} a race may use: race fewer configurations, or lower the batch size, the ` +
    `input size or the width.`
  );
}
