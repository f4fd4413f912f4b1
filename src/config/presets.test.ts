import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './defaults';
import { parseQuery } from './url-codec';
import { applyPreset, presetById, presetQuery, PRESETS } from './presets';

describe('presets', () => {
  it('the baseline turns every trick off at batch 256, η = 0.1 on ResNet-50', () => {
    const { config } = applyPreset(
      { ...DEFAULT_CONFIG, cosine: true, mixup: 0.2, fp16: true },
      presetById('baseline')!,
    );
    expect(config).toMatchObject({
      model: 'resnet50',
      batch: 256,
      lr: 0.1,
      wd: 0.0001,
      linear_scaling: false,
      warmup: 0,
      zero_gamma: false,
      no_bias_decay: false,
      fp16: false,
      tweak_b: false,
      tweak_c: false,
      tweak_d: false,
      cosine: false,
      label_smoothing: 0,
      mixup: 0,
      distill: '',
    });
  });

  it('efficient training: batch 1024, linear scaling, warmup, zero γ, no bias decay, FP16', () => {
    const { config } = applyPreset({ ...DEFAULT_CONFIG }, presetById('efficient')!);
    expect(config).toMatchObject({
      batch: 1024,
      linear_scaling: true,
      warmup: 1,
      zero_gamma: true,
      no_bias_decay: true,
      fp16: true,
      tweak_b: false,
    });
  });

  it('the ResNet variants are cumulative as in Table 5', () => {
    const tweaks = (id: string) => {
      const { config } = applyPreset({ ...DEFAULT_CONFIG }, presetById(id)!);
      return [config.tweak_b, config.tweak_c, config.tweak_d];
    };
    expect(tweaks('resnet_b')).toEqual([true, false, false]);
    expect(tweaks('resnet_c')).toEqual([true, true, false]);
    expect(tweaks('resnet_d')).toEqual([true, true, true]);
  });

  it('the full stack adds cosine, ε = 0.1 and α = 0.2 to ResNet-50-D', () => {
    const { config } = applyPreset({ ...DEFAULT_CONFIG }, presetById('full')!);
    expect(config).toMatchObject({
      tweak_d: true,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
      batch: 1024,
      fp16: true,
    });
  });

  it('keeps the playground scale and reports what the scale cannot hold', () => {
    const small = { ...DEFAULT_CONFIG, width: 0.0625, train_size: 64, epochs: 1 };
    const { config, ignored } = applyPreset(small, presetById('efficient')!);
    expect(config.width).toBe(0.0625);
    expect(config.train_size).toBe(64);
    expect(config.batch).toBe(64);
    expect(config.warmup).toBe(0);
    expect(ignored.map((i) => i.key).sort()).toEqual(['batch', 'warmup']);
  });

  it('every preset URL parses back to the preset without notices', () => {
    for (const preset of PRESETS) {
      const parsed = parseQuery(presetQuery(preset));
      expect(parsed.ignored).toEqual([]);
      expect(parsed.config).toEqual(applyPreset({ ...DEFAULT_CONFIG }, preset).config);
    }
    expect(presetQuery(presetById('resnet_d')!)).toBe(
      'model=resnet50&batch=1024&linear_scaling=1&warmup=1&zero_gamma=1&no_bias_decay=1&fp16=1&tweak_b=1&tweak_c=1&tweak_d=1',
    );
  });
});
