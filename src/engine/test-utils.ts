import * as tf from '@tensorflow/tfjs-core';
import type { ParameterSpec, ResNetOptions } from '../architecture';
import type { AdapterIdentity } from '../tuning-plan/plan';
import type { TuningCacheStore } from './autotune/tuner';
import type { ImageDataset, ImageSplit } from '../data/dataset';
import { createRng } from '../tricks';
import { makeVariable, type ModelParameter } from './model';

/** Helpers for the engine tests (never imported by the app). */

function randomSplit(seed: number, count: number, size: number, classes: number): ImageSplit {
  const rng = createRng(seed);
  const images = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = rng.int(classes);
  return { images, labels, count };
}

/** Uniform-noise images with random labels. */
export function randomDataset(
  seed: number,
  trainCount: number,
  valCount: number,
  size = 32,
  classes = 10,
): ImageDataset {
  return {
    name: 'random',
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
    height: size,
    width: size,
    train: randomSplit(seed, trainCount, size, classes),
    val: randomSplit(seed + 1, valCount, size, classes),
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** A ResNet-10 at width 1/16 on 32 px, no tweaks, 10 classes: small enough for lavapipe. */
export function tinyResNetOptions(overrides: Partial<ResNetOptions> = {}): ResNetOptions {
  return {
    model: 'resnet10',
    width: 0.0625,
    input: 32,
    stem: 'auto',
    tweakB: false,
    tweakC: false,
    tweakD: false,
    zeroGamma: false,
    classes: 10,
    ...overrides,
  };
}

/** The adapter identity the tuner tests key their caches by. */
export const TEST_ADAPTER: AdapterIdentity = {
  vendor: 'test',
  architecture: 'lavapipe',
  device: '',
  description: 'llvmpipe',
  software: 'test',
};

/** A tuning cache in memory; `saved` is what the tuner last wrote. */
export function memoryTuningCache(
  initial?: string,
): TuningCacheStore & { saved: string | undefined } {
  const store = {
    saved: initial,
    load: () => Promise.resolve(store.saved),
    save: (json: string) => {
      store.saved = json;
      return Promise.resolve();
    },
  };
  return store;
}

/** A 1-D trainable parameter named `name` in `role`, holding `values` (optimizer tests). */
export function vectorParameter(
  name: string,
  role: ParameterSpec['role'],
  values: Float32Array,
): ModelParameter {
  return {
    spec: { name, shape: [values.length], role, init: { kind: 'constant', value: 0 } },
    variable: makeVariable(tf.tensor1d(values), true),
  };
}
