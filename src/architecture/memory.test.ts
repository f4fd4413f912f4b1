import { describe, expect, it } from 'vitest';
import { bufferLimitProblem, estimateTrainingMemory } from './memory';
import type { ArchitectureSummary } from './summary';

const tiny: ArchitectureSummary = {
  params: 1000,
  macs: 0,
  output: [1, 1, 10],
  layers: [
    { name: 'conv', output: [4, 4, 8], params: 990, macs: 0 },
    { name: 'fc', output: [1, 1, 10], params: 10, macs: 0 },
  ],
};

describe('training memory estimate', () => {
  it('counts weights, gradients and momentum, and three saved tensors per layer', () => {
    const e = estimateTrainingMemory(tiny, 2, 4);
    expect(e.parameterBytes).toBe(1000 * 3 * 4);
    // per image: 2 × 48 input + 3 × (128 + 10) = 510 floats; × 2 images × 4 bytes
    expect(e.activationBytes).toBe(510 * 2 * 4);
    expect(e.totalBytes).toBe(12000 + 4080);
    expect(e.largestTensorBytes).toBe(128 * 2 * 4);
  });

  it('names the buffer-limit problem with the figures and a suggestion', () => {
    const e = estimateTrainingMemory(tiny, 2, 4);
    expect(bufferLimitProblem(e, 2 ** 30)).toBeNull();
    expect(bufferLimitProblem(e, undefined)).toBeNull();
    const huge = { ...e, largestTensorBytes: 3 * 2 ** 30 };
    expect(bufferLimitProblem(huge, 2 ** 30)).toBe(
      "The largest activation (3072 MB) exceeds this GPU's buffer limit (1024 MB): lower the batch size, the input size or the width.",
    );
  });
});
