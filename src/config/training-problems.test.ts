import { describe, expect, it } from 'vitest';
import { defaultConfig } from './defaults';
import type { ExperimentConfig } from './params';
import { trainingProblems } from './training-problems';

const MiB = 2 ** 20;

/** The defaults with some values changed. */
const config = (changes: Partial<ExperimentConfig> = {}): ExperimentConfig => ({
  ...defaultConfig(),
  ...changes,
});

describe('trainingProblems', () => {
  it('has nothing to say about the defaults', () => {
    expect(trainingProblems(config(), null, undefined)).toEqual([]);
    expect(trainingProblems(config(), null, 1024 * MiB)).toEqual([]);
  });

  it('words each inconsistent value with its label, its value and the rule', () => {
    expect(trainingProblems(config({ label_smoothing: 0.95 }), null, undefined)).toEqual([
      'Label smoothing 0.95 must be below (K − 1)/K = 0.900 for K = 10 classes, where all targets become equal.',
    ]);
    expect(trainingProblems(config({ warmup: 12, epochs: 12 }), null, undefined)).toEqual([
      'Learning rate warmup 12 must be shorter than the training (12 epochs).',
    ]);
    expect(trainingProblems(config({ train_size: 64, batch: 128 }), null, undefined)).toEqual([
      'Batch size 128 is larger than the training set; using 64.',
    ]);
  });

  it('asks for the files of a dataset that is not loaded', () => {
    expect(trainingProblems(config({ dataset: 'cifar10' }), null, undefined)).toEqual([
      'Load the CIFAR-10 files in the Data section first.',
    ]);
    expect(trainingProblems(config({ dataset: 'folder' }), null, undefined)).toEqual([
      'Load the Image folder files in the Data section first.',
    ]);
    expect(trainingProblems(config({ dataset: 'cifar10' }), 10, undefined)).toEqual([]);
  });

  it('checks the loaded class count, not the dataset’s usual one', () => {
    // An image folder of 2 classes: (K − 1)/K = 0.5.
    expect(
      trainingProblems(config({ dataset: 'folder', label_smoothing: 0.5 }), 2, undefined),
    ).toEqual([
      'Label smoothing 0.5 must be below (K − 1)/K = 0.500 for K = 2 classes, where all targets become equal.',
    ]);
  });

  it('refuses a largest activation over the GPU buffer limit', () => {
    // Defaults: 16 channels (64 × width 0.25) × 32 × 32 pixels × batch 128 × 4 bytes = 8 MiB.
    expect(trainingProblems(config(), null, 8 * MiB)).toEqual([]);
    expect(trainingProblems(config(), null, 4 * MiB)).toEqual([
      "The largest activation (8 MB) exceeds this GPU's buffer limit (4 MB): lower the batch size, the input size or the width.",
    ]);
  });

  it('lists every problem, inconsistencies first', () => {
    expect(
      trainingProblems(config({ dataset: 'mnist', warmup: 20, epochs: 12 }), null, 4 * MiB),
    ).toEqual([
      'Learning rate warmup 20 must be shorter than the training (12 epochs).',
      'Load the MNIST files in the Data section first.',
      "The largest activation (8 MB) exceeds this GPU's buffer limit (4 MB): lower the batch size, the input size or the width.",
    ]);
  });
});
