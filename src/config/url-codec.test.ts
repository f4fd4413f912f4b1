import { describe, expect, it } from 'vitest';
import { classCount, enforceConsistency } from './consistency';
import { DEFAULT_CONFIG, PARAM_KEYS, PARAMS, parseQuery, toQuery, type ExperimentConfig } from '.';

describe('URL codec', () => {
  it('an empty query gives the defaults and ignores nothing', () => {
    expect(parseQuery('')).toEqual({ config: DEFAULT_CONFIG, ignored: [] });
    expect(parseQuery('?')).toEqual({ config: DEFAULT_CONFIG, ignored: [] });
  });

  it('the defaults serialize to an empty query', () => {
    expect(toQuery({ ...DEFAULT_CONFIG })).toBe('');
  });

  it('writes only the values that differ from the defaults, booleans as 1/0', () => {
    const config: ExperimentConfig = {
      ...DEFAULT_CONFIG,
      cosine: true,
      label_smoothing: 0.1,
      batch: 256,
      model: 'resnet50',
    };
    expect(toQuery(config)).toBe('model=resnet50&batch=256&cosine=1&label_smoothing=0.1');
  });

  it('round-trips a config that sets every parameter but task away from its default', () => {
    const config: ExperimentConfig = {
      model: 'resnet34',
      width: 0.5,
      input: 64,
      stem: 'imagenet',
      dataset: 'hub',
      source: 'hub',
      hub: 'uoft-cs/cifar10',
      train_size: 1000,
      val_size: 200,
      crop: false,
      flip: false,
      jitter: false,
      pca: false,
      batch: 64,
      epochs: 30,
      lr: 0.4,
      wd: 0.00005,
      seed: 42,
      repeats: 3,
      linear_scaling: true,
      warmup: 5,
      zero_gamma: true,
      no_bias_decay: true,
      fp16: true,
      kernels: 'tiled',
      tweak_b: true,
      tweak_c: true,
      tweak_d: true,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
      distill: 'r3',
      temperature: 10,
      backbone: 'r2',
      transfer: 'probe',
      backbone_lr: 0.5,
      // task=segment excludes Hub data and the refinements: the next test sets it.
      task: 'classify',
      classes: 1000,
      autorun: true,
      present: true,
    };
    const parsed = parseQuery(`?${toQuery(config)}`);
    expect(parsed.ignored).toEqual([]);
    expect(parsed.config).toEqual(config);
    // Every other key really was written.
    expect(new URLSearchParams(toQuery(config)).size).toBe(PARAM_KEYS.length - 1);
  });

  it('round-trips a segmentation run on the synthetic scenes, fine-tuned from a backbone', () => {
    const config: ExperimentConfig = {
      ...DEFAULT_CONFIG,
      task: 'segment',
      backbone: 'r2',
      cosine: true,
    };
    expect(toQuery(config)).toBe('cosine=1&task=segment&backbone=r2');
    const parsed = parseQuery(`?${toQuery(config)}`);
    expect(parsed.ignored).toEqual([]);
    expect(parsed.config).toEqual(config);
  });

  it('ignores task=segment on a dataset without masks, and the refinements FCN does not train with', () => {
    const hub = parseQuery('?task=segment&dataset=cifar10');
    expect(hub.config.task).toBe('classify');
    expect(hub.ignored).toEqual([
      {
        key: 'task',
        value: 'segment',
        reason: 'segmentation needs per-pixel labels: only the built-in synthetic scenes have them',
      },
    ]);
    const refined = parseQuery('?task=segment&mixup=0.2&label_smoothing=0.1');
    expect(refined.config).toMatchObject({ task: 'segment', mixup: 0, label_smoothing: 0 });
    expect(refined.ignored.map((i) => i.key)).toEqual(['mixup', 'label_smoothing']);
  });

  it('reads booleans only as 1 or 0', () => {
    const { config, ignored } = parseQuery('cosine=true&zero_gamma=1&mixup=0');
    expect(config.cosine).toBe(false);
    expect(config.zero_gamma).toBe(true);
    expect(ignored).toEqual([{ key: 'cosine', value: 'true', reason: 'must be 1 or 0' }]);
  });

  it('falls back to defaults for bad values and says why', () => {
    const { config, ignored } = parseQuery(
      'lr=abc&batch=0&epochs=2.5&model=resnet9000&bogus=1&width=NaN&lr=0.2&seed=0x10&input=',
    );
    expect(config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(config.batch).toBe(DEFAULT_CONFIG.batch);
    expect(config.epochs).toBe(DEFAULT_CONFIG.epochs);
    expect(config.model).toBe(DEFAULT_CONFIG.model);
    expect(config.width).toBe(DEFAULT_CONFIG.width);
    expect(config.seed).toBe(DEFAULT_CONFIG.seed);
    expect(config.input).toBe(DEFAULT_CONFIG.input);
    const reasons = Object.fromEntries(ignored.map((i) => [`${i.key}=${i.value}`, i.reason]));
    expect(reasons).toEqual({
      'lr=abc': 'is not a number',
      'batch=0': 'must be at least 1',
      'epochs=2.5': 'must be a whole number',
      'model=resnet9000': expect.stringContaining('must be one of resnet10'),
      'bogus=1': 'unknown parameter',
      'width=NaN': 'is not a number',
      'lr=0.2': 'repeated; the first value is used',
      'seed=0x10': 'is not a number',
      'input=': 'is not a number',
    });
  });

  it('rejects values outside the declared ranges, including Infinity', () => {
    const { config, ignored } = parseQuery('lr=0&label_smoothing=-0.1&mixup=1e9&wd=Infinity');
    expect(config.lr).toBe(0.1);
    expect(config.label_smoothing).toBe(0);
    expect(ignored.map((i) => i.key)).toEqual(['lr', 'label_smoothing', 'mixup', 'wd']);
    expect(ignored[0]!.reason).toBe('must be greater than 0');
  });

  it('keeps hostile text as data, never markup', () => {
    const { config, ignored } = parseQuery('distill=<img src=x onerror=alert(1)>&<script>=1');
    expect(config.distill).toBe('');
    expect(ignored[0]).toMatchObject({
      key: 'distill',
      reason: 'must be a run id such as r1, or empty',
    });
    expect(ignored[1]).toMatchObject({ key: '<script>', reason: 'unknown parameter' });
  });

  it('applies cross-parameter rules', () => {
    const smoothing = parseQuery('label_smoothing=0.95');
    expect(smoothing.config.label_smoothing).toBe(0);
    expect(smoothing.ignored[0]!.reason).toContain('(K − 1)/K = 0.900');
    const warmup = parseQuery('epochs=3&warmup=3');
    expect(warmup.config.warmup).toBe(0);
    expect(warmup.config.epochs).toBe(3);
    const batch = parseQuery('train_size=64&batch=128');
    expect(batch.config.batch).toBe(64);
    expect(batch.ignored[0]!.reason).toBe('is larger than the training set; using 64');
  });

  it('maps the old augment switch onto the four §2.1 steps; explicit steps win', () => {
    const off = parseQuery('augment=0');
    expect(off.ignored).toEqual([]);
    expect([off.config.crop, off.config.flip, off.config.jitter, off.config.pca]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const mixed = parseQuery('augment=0&flip=1');
    expect([mixed.config.crop, mixed.config.flip]).toEqual([false, true]);
    expect(parseQuery('augment=yes').ignored[0]).toMatchObject({
      key: 'augment',
      reason: 'must be 1 or 0',
    });
  });

  it('knows the class count of each dataset; a loaded dataset decides', () => {
    expect(classCount({ dataset: 'cifar100' })).toBe(100);
    expect(classCount({ dataset: 'folder' }, 7)).toBe(7);
    expect(classCount({ dataset: 'synthetic' }, 7)).toBe(10);
    // ε = 0.6 is fine for a folder of unknown size but not for one of 2 classes.
    expect(parseQuery('dataset=folder&label_smoothing=0.6').ignored).toEqual([]);
    const config = parseQuery('dataset=folder&label_smoothing=0.6').config;
    expect(enforceConsistency(config, 2).ignored[0]!.key).toBe('label_smoothing');
    // The synthetic size limits the batch only on the synthetic dataset.
    expect(parseQuery('dataset=cifar10&train_size=64&batch=128').config.batch).toBe(128);
  });

  it('declares a label, help and default for every parameter', () => {
    for (const key of PARAM_KEYS) {
      expect(PARAMS[key].label.length).toBeGreaterThan(2);
      expect(PARAMS[key].help.length).toBeGreaterThan(10);
      expect(PARAMS[key].schema.safeParse(PARAMS[key].default).success).toBe(true);
    }
  });
});

describe('URL codec with keys named like Object properties', () => {
  it('treats valueOf, constructor, __proto__ and toString as unknown parameters', () => {
    const { config, ignored } = parseQuery('valueOf=0&constructor=1&__proto__=x&toString=1');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(ignored.map((i) => [i.key, i.reason])).toEqual([
      ['valueOf', 'unknown parameter'],
      ['constructor', 'unknown parameter'],
      ['__proto__', 'unknown parameter'],
      ['toString', 'unknown parameter'],
    ]);
  });

  it('reads Hub datasets: source=hub, and hub=owner/name (dataset=hub implied)', () => {
    expect(parseQuery('dataset=cifar10&source=hub').config).toMatchObject({
      dataset: 'cifar10',
      source: 'hub',
    });
    expect(parseQuery('dataset=hub&hub=uoft-cs/cifar10').config).toMatchObject({
      dataset: 'hub',
      hub: 'uoft-cs/cifar10',
    });
    expect(parseQuery('hub=a/b').config).toMatchObject({ dataset: 'hub', hub: 'a/b' });
    expect(parseQuery('dataset=mnist&hub=a/b').config.dataset).toBe('mnist');
    // hub is written only where it means something: with dataset=hub.
    expect(toQuery({ ...DEFAULT_CONFIG, dataset: 'cifar10', hub: 'a/b' })).toBe('dataset=cifar10');
    const bad = parseQuery('hub=../etc&source=web');
    expect(bad.config).toMatchObject({ dataset: 'synthetic', hub: '', source: 'files' });
    expect(bad.ignored.map((i) => i.key)).toEqual(['hub', 'source']);
  });
});
