import { describe, expect, it } from 'vitest';
import { parseQuery } from '../config';
import { bufferLimitProblem, estimateTrainingMemory, trainingMemoryOf } from './memory';
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

  it('halves the saved activations in FP16 (packed f16) and adds the f16 weight copies', () => {
    const e = estimateTrainingMemory(tiny, 2, 4, 'f16');
    // f32 master weights, gradients and momentum (12 bytes) + the f16 copy (2 bytes)
    expect(e.parameterBytes).toBe(1000 * 14);
    // per image: 2 × 48 × 4 input bytes (f32) + 3 × (128 + 10) × 2 bytes = 1212; × 2 images
    expect(e.activationBytes).toBe(1212 * 2);
    expect(e.totalBytes).toBe(14000 + 2424);
    // the conv output, 128 values × 2 bytes, outweighs the f32 input (192 bytes)
    expect(e.largestTensorBytes).toBe(256 * 2);
  });

  it('lets a model too big for the buffer limit in f32 fit in FP16', () => {
    const limit = 600;
    expect(bufferLimitProblem(estimateTrainingMemory(tiny, 2, 4, 'f32'), limit)).not.toBeNull();
    expect(bufferLimitProblem(estimateTrainingMemory(tiny, 2, 4, 'f16'), limit)).toBeNull();
  });

  it('counts FP16 activations as f16 only where every channel count is even (packable)', () => {
    const activations = (query: string) =>
      trainingMemoryOf(parseQuery(query).config)!.activationBytes;
    // width 1/16: 4, 8, 16, 32 channels; width 0.1: 6, 13, 26, 51 (13 is odd: f32 storage)
    const even = 'model=resnet18&width=0.0625&batch=64';
    expect(activations(`${even}&fp16=1`)).toBeLessThan(0.6 * activations(even));
    const odd = 'model=resnet18&width=0.1&batch=64';
    expect(activations(`${odd}&fp16=1`)).toBe(activations(odd));
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
