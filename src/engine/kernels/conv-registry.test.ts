import { describe, expect, it } from 'vitest';
import { F32, formatKey, numberFormat, type NumberFormat } from '../../config/number-format';
import { CONV_OPS, convShapeKey } from '../../tuning-plan/plan';
import { convGeometry } from './conv-geometry';
import {
  chooseConvKernel,
  convCandidates,
  CONV_KERNEL_IDS,
  defaultConvKernel,
  largestOperandBytes,
} from './conv-registry';
import { F16_STORAGE_FORMATS } from './direct-conv';

// The choice rule only: no kernel runs here.
const WIDE = convGeometry([8, 16, 16, 64], [3, 3, 64, 64], 1, 1);
/** 6 channels: the direct (vec4) kernels cannot take it. */
const ODD = convGeometry([8, 16, 16, 6], [3, 3, 6, 6], 1, 1);
const none = new Map<string, string>();

describe('choosing a convolution kernel', () => {
  it('lists every applicable candidate: all families in f32, no stock tfjs in f16', () => {
    const f32 = convCandidates('forward', WIDE, F32).map((k) => k.family);
    expect(new Set(f32)).toEqual(new Set(['direct', 'tiled', 'tfjs']));
    expect(f32.filter((f) => f === 'tiled').length).toBeGreaterThanOrEqual(3);
    const f16 = convCandidates('forward', WIDE, numberFormat('f32', 'f16')).map((k) => k.family);
    expect(f16).not.toContain('tfjs');
    expect(convCandidates('inputGrad', ODD, F32).map((k) => k.family)).not.toContain('direct');
  });

  it('without a tuned choice: direct where it applies, else tfjs (f32) or tiled (f16)', () => {
    expect(chooseConvKernel('forward', WIDE, F32, 'auto', none).id).toBe('direct');
    expect(chooseConvKernel('forward', ODD, F32, 'auto', none).id).toBe('tfjs');
    expect(
      chooseConvKernel('forward', ODD, numberFormat('f32', 'emulated'), 'auto', none).family,
    ).toBe('tiled');
  });

  it('under auto, the tuned choice for that exact shape and precision', () => {
    const tuned = new Map([[convShapeKey('filterGrad', WIDE, F32), 'tiled-64x64']]);
    expect(chooseConvKernel('filterGrad', WIDE, F32, 'auto', tuned).id).toBe('tiled-64x64');
    // Another op, precision or batch is another shape.
    expect(chooseConvKernel('forward', WIDE, F32, 'auto', tuned).id).toBe('direct');
    expect(chooseConvKernel('filterGrad', WIDE, numberFormat('f32', 'f16'), 'auto', tuned).id).toBe(
      'direct',
    );
    const batch9 = convGeometry([9, 16, 16, 64], [3, 3, 64, 64], 1, 1);
    expect(chooseConvKernel('filterGrad', batch9, F32, 'auto', tuned).id).toBe('direct');
  });

  it('a tuned id that is unknown or cannot run falls back to the default', () => {
    const key = convShapeKey('forward', ODD, F32);
    expect(chooseConvKernel('forward', ODD, F32, 'auto', new Map([[key, 'gone']])).id).toBe('tfjs');
    expect(chooseConvKernel('forward', ODD, F32, 'auto', new Map([[key, 'direct']])).id).toBe(
      'tfjs',
    );
  });

  it('a forced family wins over the tuned choice wherever it applies', () => {
    const tuned = new Map([[convShapeKey('forward', WIDE, F32), 'tfjs']]);
    expect(chooseConvKernel('forward', WIDE, F32, 'direct', tuned).id).toBe('direct');
    expect(chooseConvKernel('forward', WIDE, F32, 'tiled', tuned).family).toBe('tiled');
    expect(chooseConvKernel('forward', WIDE, F32, 'tfjs', none).id).toBe('tfjs');
  });

  it('where a forced family cannot run, the default runs instead', () => {
    expect(chooseConvKernel('forward', ODD, F32, 'direct', none).id).toBe('tfjs');
    expect(chooseConvKernel('forward', WIDE, numberFormat('f32', 'f16'), 'tfjs', none).id).toBe(
      'direct',
    );
    expect(chooseConvKernel('forward', ODD, numberFormat('f32', 'f16'), 'tfjs', none).family).toBe(
      'tiled',
    );
  });

  it('second-generation tiled kernels: f32 only, tiles as wide as the layer needs (16 to 64)', () => {
    const ids = (op: 'forward' | 'inputGrad', g: typeof WIDE, p: NumberFormat = F32) =>
      convCandidates(op, g, p)
        .map((k) => k.id)
        .filter((id) => id.startsWith('tiled2-'));
    expect(ids('forward', WIDE)).toEqual(['tiled2-128x64', 'tiled2-64x64']);
    expect(ids('forward', WIDE, numberFormat('f32', 'f16'))).toEqual([]);
    // f16 storage with f32 arithmetic only: no f16 arithmetic.
    expect(ids('forward', WIDE, numberFormat('f16', 'f32'))).toEqual(ids('forward', WIDE));
    expect(ids('forward', WIDE, numberFormat('f16', 'f16'))).toEqual([]);
    // 6 → 10 channels: N = 10 (forward) and 6 (input gradient) take the 16-wide tile only.
    expect(ids('forward', ODD)).toEqual(['tiled2-128x16']);
    expect(ids('inputGrad', ODD)).toEqual(['tiled2-128x16']);
    // 16 → 32: forward N = 32, input gradient N = 16.
    const NARROW = convGeometry([8, 16, 16, 16], [3, 3, 16, 32], 2, 1);
    expect(ids('forward', NARROW)).toEqual(['tiled2-128x32']);
    expect(ids('inputGrad', NARROW)).toEqual(['tiled2-128x16']);
    // Never a default: the tuner picks them where they measured faster.
    const tuned = new Map([[convShapeKey('forward', WIDE, F32), 'tiled2-128x64']]);
    expect(chooseConvKernel('forward', WIDE, F32, 'auto', tuned).id).toBe('tiled2-128x64');
    expect(chooseConvKernel('forward', WIDE, F32, 'tiled', none).id).toBe('tiled-64x64');
    expect(chooseConvKernel('forward', WIDE, numberFormat('f32', 'f16'), 'auto', tuned).id).toBe(
      'direct',
    );
  });

  it('ids are unique, so the cache can name them', () => {
    expect(CONV_KERNEL_IDS.size).toBeGreaterThanOrEqual(5);
    expect(CONV_KERNEL_IDS.has('direct') && CONV_KERNEL_IDS.has('tfjs')).toBe(true);
  });

  it.each(F16_STORAGE_FORMATS.map((p) => ({ p, format: formatKey(p) })))(
    '$format never runs stock tfjs; odd channels have no kernel',
    ({ p }) => {
      const TWO = convGeometry([8, 16, 16, 2], [3, 3, 2, 2], 2, 1);
      const RGB = convGeometry([8, 16, 16, 3], [7, 7, 3, 16], 2, 3);
      for (const op of CONV_OPS) {
        const families = new Set(convCandidates(op, WIDE, p).map((k) => k.family));
        expect(families).toEqual(new Set(['direct', 'tiled']));
        expect(convCandidates(op, ODD, p).map((k) => k.family)).toEqual(
          convCandidates(op, ODD, p).map(() => 'tiled'),
        );
        expect(convCandidates(op, TWO, p).length).toBeGreaterThan(0);
        expect(convCandidates(op, RGB, p)).toEqual([]);
        expect(defaultConvKernel(op, WIDE, p).id).toBe('direct');
        expect(defaultConvKernel(op, ODD, p).family).toBe('tiled');
        expect(() => defaultConvKernel(op, RGB, p)).toThrow(/channels/);
        for (const g of [WIDE, ODD, TWO]) {
          for (const setting of ['auto', 'tfjs', 'direct', 'tiled'] as const) {
            const tuned = new Map([[convShapeKey(op, g, p), 'tfjs']]);
            expect(chooseConvKernel(op, g, p, setting, tuned).family).not.toBe('tfjs');
          }
        }
      }
      // Tuned choices are per number format: an f16-storage one never answers for f32 storage.
      const tuned = new Map([[convShapeKey('forward', WIDE, p), 'tiled-64x64']]);
      expect(chooseConvKernel('forward', WIDE, p, 'auto', tuned).id).toBe('tiled-64x64');
      expect(chooseConvKernel('forward', WIDE, numberFormat('f32', 'f16'), 'auto', tuned).id).toBe(
        'direct',
      );
      expect(convShapeKey('forward', WIDE, p)).not.toBe(
        convShapeKey('forward', WIDE, numberFormat('f32', 'f16')),
      );
    },
  );
});

/** WebGPU's default limits: what every implementation offers at least. */
const DEFAULT_LIMITS = {
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
};

describe('candidates within the device limits', () => {
  it('WebGPU default limits: every candidate of a ResNet layer is offered', () => {
    const all = convCandidates('forward', WIDE, F32).map((k) => k.id);
    expect(convCandidates('forward', WIDE, F32, DEFAULT_LIMITS).map((k) => k.id)).toEqual(all);
  });

  it('an operand beyond one binding: no candidate at all', () => {
    // x: 64·224·224·64·4 bytes = 784 MiB > 128 MiB.
    const huge = convGeometry([64, 224, 224, 64], [3, 3, 64, 64], 1, 1);
    expect(largestOperandBytes(huge, F32)).toBe(64 * 224 * 224 * 64 * 4);
    expect(convCandidates('forward', huge, F32, DEFAULT_LIMITS)).toEqual([]);
    // Packed, the same activations take half the bytes.
    expect(largestOperandBytes(huge, numberFormat('f16', 'f16'))).toBe(64 * 224 * 224 * 64 * 2);
  });

  it('less workgroup memory than a tile needs: that tile shape is not offered', () => {
    // tiled-64x64 stages (64 + 64)·5·16 = 10,240 B in f32, half in f16; 128×128 (tileK 8): 12,288.
    const small = { ...DEFAULT_LIMITS, maxComputeWorkgroupStorageSize: 8192 };
    const f32 = convCandidates('forward', WIDE, F32, small).map((k) => k.id);
    expect(f32).not.toContain('tiled-64x64');
    expect(f32).not.toContain('tiled-128x128');
    // Second generation, two buffers of f32 tiles: 128×16 (tileK 8) takes 9,216 B, the others more.
    expect(f32.filter((id) => id.startsWith('tiled2-'))).toEqual([]);
    expect(f32).toContain('direct');
    expect(
      convCandidates('forward', WIDE, numberFormat('f32', 'f16'), small).map((k) => k.id),
    ).toContain('tiled-64x64');
  });
});
