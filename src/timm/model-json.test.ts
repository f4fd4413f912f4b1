import { describe, expect, it } from 'vitest';
import type { ResNetOptions } from '../architecture/resnet-spec';
import { optionsFromTimmModelJson, timmArchitecture } from './model-json';

function options(overrides: Partial<ResNetOptions>): ResNetOptions {
  return {
    model: 'resnet50',
    width: 1,
    input: 224,
    stem: 'imagenet',
    tweakB: true,
    tweakC: true,
    tweakD: true,
    zeroGamma: true,
    classes: 1000,
    ...overrides,
  };
}

describe('timmArchitecture', () => {
  it("gives timm's resnet50d kwargs for ResNet-50 with B, C and D at width 1", () => {
    const json = timmArchitecture(options({}));
    expect(json.timm_kwargs).toEqual({
      block: 'bottleneck',
      layers: [3, 4, 6, 3],
      channels: [64, 128, 256, 512],
      stem_width: 32,
      stem_type: 'deep',
      avg_down: true,
      num_classes: 1000,
    });
    expect(json.small_stem).toBe(false);
    expect(json).not.toHaveProperty('stem_out_channels');
    expect(json).not.toHaveProperty('stride_in_1x1');
    expect(json.input_size).toEqual([3, 224, 224]);
    expect(json.mean[0]).toBeCloseTo(0.485, 3);
    expect(json.std[2]).toBeCloseTo(0.225, 3);
  });

  it("gives timm's resnet18 kwargs for ResNet-18 at width 1 with the ImageNet stem", () => {
    const json = timmArchitecture(
      options({ model: 'resnet18', tweakC: false, tweakD: false, classes: 10 }),
    );
    expect(json.timm_kwargs).toEqual({
      block: 'basic',
      layers: [2, 2, 2, 2],
      channels: [64, 128, 256, 512],
      stem_width: 64,
      stem_type: '',
      avg_down: false,
      num_classes: 10,
    });
    expect(json).not.toHaveProperty('stem_out_channels');
  });

  it('asks for a patch where timm cannot express the network', () => {
    // ResNet-A bottleneck (stride in the 1×1), narrow plain stem, small stem.
    const json = timmArchitecture(
      options({
        width: 0.25,
        input: 32,
        stem: 'auto',
        tweakB: false,
        tweakC: false,
        tweakD: false,
      }),
    );
    expect(json.stride_in_1x1).toBe(true);
    expect(json.stem_out_channels).toBe(16);
    expect(json.small_stem).toBe(true);
    expect(json.timm_kwargs.channels).toEqual([16, 32, 64, 128]);
    // The deep stem at width 1/4: 8, 8, 16 = timm's stem_width 8 (16 = 2 × 8): no patch.
    const deep = timmArchitecture(options({ width: 0.25 }));
    expect(deep.timm_kwargs.stem_width).toBe(8);
    expect(deep).not.toHaveProperty('stem_out_channels');
  });
});

describe('an FCN (task=segment)', () => {
  it('asks timm for output stride 8 and no classifier, and describes the head', () => {
    const json = timmArchitecture(options({ model: 'resnet50', classes: 11, fcn: true }));
    expect(json.timm_kwargs).toMatchObject({ num_classes: 0, output_stride: 8, avg_down: true });
    // ResNet-50's 2048 channels → a quarter, 512, in the head → 11 classes.
    expect(json.fcn).toEqual({ head_channels: 512, classes: 11 });
    expect(timmArchitecture(options({})).fcn).toBeUndefined();
    expect(timmArchitecture(options({})).timm_kwargs.output_stride).toBeUndefined();
  });
});

describe('optionsFromTimmModelJson', () => {
  it('reads back the options of every variant', () => {
    const variants: Partial<ResNetOptions>[] = [
      {},
      {
        model: 'resnet10',
        width: 0.0625,
        input: 32,
        stem: 'small',
        tweakB: false,
        tweakC: false,
        tweakD: false,
      },
      {
        model: 'resnet26',
        width: 0.125,
        input: 64,
        stem: 'imagenet',
        tweakB: false,
        tweakD: false,
      },
      { model: 'resnet34', width: 0.5, input: 32, stem: 'small', tweakC: true, tweakD: false },
      { model: 'resnet152', width: 2, classes: 100 },
      { model: 'resnet18', width: 0.25, input: 32, stem: 'small', classes: 11, fcn: true },
    ];
    for (const v of variants) {
      const o = options({ ...v, zeroGamma: false });
      const json = JSON.parse(
        JSON.stringify({ ...timmArchitecture(o), source: { app: 'x', query: '', run: 'r1' } }),
      );
      const back = optionsFromTimmModelJson(json);
      // Basic blocks have no A/B difference: tweakB reads back as true.
      expect(back).toEqual({
        ...o,
        tweakB: o.model === 'resnet10' || o.model === 'resnet34' ? true : o.tweakB,
      });
    }
  });

  it('names the first key that does not describe one of our networks', () => {
    const json = timmArchitecture(options({}));
    expect(() => optionsFromTimmModelJson({ ...json, format: 'other' })).toThrow(
      /format is "other"/,
    );
    expect(() =>
      optionsFromTimmModelJson({
        ...json,
        timm_kwargs: { ...json.timm_kwargs, layers: [3, 4, 5, 3] },
      }),
    ).toThrow(/layers \[3,4,5,3\] is none of this app's models/);
    expect(() =>
      optionsFromTimmModelJson({ ...json, timm_kwargs: { ...json.timm_kwargs, stem_width: 64 } }),
    ).toThrow(/timm_kwargs.stem_width is 64, expected 32/);
    expect(() => optionsFromTimmModelJson({ ...json, stem_out_channels: 48 })).toThrow(
      /stem_out_channels is 48, expected undefined/,
    );
    expect(() => optionsFromTimmModelJson(null)).toThrow(/not a JSON object/);
    expect(() => optionsFromTimmModelJson({ ...json, mean: [0.5, 0.5, 0.5] })).toThrow(
      "model.json: mean [0.5,0.5,0.5] is not this app's normalization [0.48502,0.45796,0.4076]",
    );
  });

  it("accepts a hand-written model.json with timm's ImageNet constants and no small_stem", () => {
    const { small_stem: _small, ...json } = timmArchitecture(options({}));
    const handWritten = { ...json, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    expect(optionsFromTimmModelJson(handWritten)).toMatchObject({
      model: 'resnet50',
      stem: 'imagenet',
    });
  });
});
