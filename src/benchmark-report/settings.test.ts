import { describe, expect, it } from 'vitest';
import { SMALLEST_SETTINGS as smallest } from './test-utils';
import {
  checkSettings,
  FULL_SETTINGS,
  minimumLeakStep,
  plannedRowCount,
  QUICK_SETTINGS,
  type BenchmarkSettings,
} from './settings';

const problemsOf = (settings: BenchmarkSettings) => {
  const check = checkSettings(settings);
  return check.ok ? [] : check.problems;
};

describe('checkSettings', () => {
  it('turns the full preset into the full request (leak check at step 200)', () => {
    expect(checkSettings(FULL_SETTINGS)).toEqual({
      ok: true,
      request: {
        models: ['resnet18-style', 'resnet50-style'],
        batches: [32, 128],
        width: 0.25,
        warmupSteps: 2,
        timedSteps: 20,
        leakStep: 200,
        f16: true,
        kernels: 'auto',
      },
    });
  });

  it('passes the kernel setting on', () => {
    const check = checkSettings({ ...FULL_SETTINGS, kernels: 'tiled' });
    expect(check.ok && check.request.kernels).toBe('tiled');
    expect(QUICK_SETTINGS.kernels).toBe('auto');
  });

  it('keeps the FP16 rows on an adapter without shader-f16 (f16 storage runs everywhere)', () => {
    const check = checkSettings(FULL_SETTINGS);
    expect(check.ok && check.request.f16).toBe(true);
  });

  it('puts the leak check right after the timed steps when left empty: 1 + warm-up + 2 × timed', () => {
    // Engine rows time the steps twice: readback every few steps, then every step.
    const check = checkSettings(QUICK_SETTINGS);
    expect(check.ok && check.request.leakStep).toBe(1 + 1 + 2 * 5);
    expect(minimumLeakStep(2, 20)).toBe(43);
    expect(minimumLeakStep(0, 1)).toBe(3);
  });

  it('adds the other batch size, sorted, without duplicates', () => {
    const sizes = (customBatch: string) => {
      const check = checkSettings({ ...FULL_SETTINGS, customBatch });
      return check.ok ? check.request.batches : null;
    };
    expect(sizes('4')).toEqual([4, 32, 128]);
    expect(sizes('64')).toEqual([32, 64, 128]);
    expect(sizes('32')).toEqual([32, 128]);
    expect(sizes(' ')).toEqual([32, 128]);
  });

  it('accepts the smallest settings the e2e test uses', () => {
    expect(checkSettings(smallest)).toEqual({
      ok: true,
      request: {
        models: ['resnet18-style'],
        batches: [4],
        width: 0.0625,
        warmupSteps: 0,
        timedSteps: 1,
        leakStep: 3,
        f16: false,
        kernels: 'auto',
      },
    });
  });

  it('names every bad field', () => {
    expect(
      problemsOf({
        ...FULL_SETTINGS,
        resnet18: false,
        resnet50: false,
        customBatch: '513',
        width: '0.01',
        warmupSteps: '-1',
        timedSteps: '2.5',
      }),
    ).toEqual([
      'Choose at least one network.',
      'Other batch size must be a whole number from 1 to 512.',
      'Width multiplier must be from 0.0625 to 4.',
      'Warm-up steps must be a whole number from 0 to 100.',
      'Timed steps must be a whole number from 1 to 1000.',
    ]);
  });

  it('refuses no batch at all, a zero batch, text, and a leak step before the last timed step', () => {
    expect(problemsOf({ ...smallest, customBatch: '' })).toEqual([
      'Choose at least one batch size.',
    ]);
    expect(problemsOf({ ...smallest, customBatch: '0' })).toContain(
      'Other batch size must be a whole number from 1 to 512.',
    );
    expect(problemsOf({ ...smallest, width: 'abc' })).toEqual([
      'Width multiplier must be from 0.0625 to 4.',
    ]);
    expect(problemsOf({ ...FULL_SETTINGS, leakStep: '42' })).toEqual([
      'Leak check step must be a whole number from 43 to 10000.',
    ]);
    expect(problemsOf({ ...FULL_SETTINGS, leakStep: '43' })).toEqual([]);
  });
});

describe('plannedRowCount', () => {
  it('is networks × batches × variants, the FP16 ones as the adapter runs them', () => {
    const full = checkSettings(FULL_SETTINGS);
    const noFp16 = checkSettings({ ...FULL_SETTINGS, f16: false });
    // tf.layers, engine f32, engine f16-storage/f16, engine f16-storage/f32
    expect(full.ok && plannedRowCount(full.request, true)).toBe(2 * 2 * 4);
    // without shader-f16: no engine f16-storage/f16
    expect(full.ok && plannedRowCount(full.request, false)).toBe(2 * 2 * 3);
    expect(noFp16.ok && plannedRowCount(noFp16.request, true)).toBe(2 * 2 * 2);
  });
});
