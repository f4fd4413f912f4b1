import { describe, expect, it } from 'vitest';
import { SMALLEST_SETTINGS as smallest } from './test-utils';
import { parseQuery } from '../config';
import { KERNEL_SETTINGS } from '../tuning-plan/plan';
import { FULL_SETTINGS, QUICK_SETTINGS } from './settings';
import { BENCH_DEFAULTS, benchLinkQuery, parseBenchQuery, toBenchQuery } from './url';

describe('toBenchQuery', () => {
  it('writes nothing for the Full preset', () => {
    expect(toBenchQuery(FULL_SETTINGS)).toBe('');
    expect(BENCH_DEFAULTS).toEqual({
      bench_models: 'r18,r50',
      bench_batches: '32,128',
      bench_width: '0.25',
      bench_warmup: '2',
      bench_steps: '20',
      bench_leak: '200',
      bench_f16: '1',
      bench_kernels: 'auto',
    });
  });

  it('writes only the values that differ, in table order', () => {
    expect(toBenchQuery(QUICK_SETTINGS)).toBe(
      'bench_models=r18&bench_width=0.0625&bench_warmup=1&bench_steps=5&bench_leak=',
    );
    expect(toBenchQuery(smallest)).toBe(
      'bench_models=r18&bench_batches=4&bench_width=0.0625&bench_warmup=0&bench_steps=1&bench_leak=&bench_f16=0',
    );
  });

  it('writes canonical numbers, sorts batches, and leaves out what is not valid', () => {
    expect(toBenchQuery({ ...FULL_SETTINGS, width: '0.50', customBatch: '64' })).toBe(
      'bench_batches=32%2C64%2C128&bench_width=0.5',
    );
    // A half-typed or out-of-range field is not written (its default stays in the link).
    expect(toBenchQuery({ ...FULL_SETTINGS, width: '0.', timedSteps: '1001' })).toBe('');
    expect(toBenchQuery({ ...FULL_SETTINGS, width: 'abc', timedSteps: '1001' })).toBe('');
    expect(toBenchQuery({ ...FULL_SETTINGS, resnet18: false, resnet50: false })).toBe('');
    expect(toBenchQuery({ ...FULL_SETTINGS, batch32: false, customBatch: '513' })).toBe(
      'bench_batches=128',
    );
  });

  it('writes a forced kernel family, last', () => {
    expect(toBenchQuery({ ...QUICK_SETTINGS, kernels: 'direct' })).toBe(
      'bench_models=r18&bench_width=0.0625&bench_warmup=1&bench_steps=5&bench_leak=&bench_kernels=direct',
    );
    expect(toBenchQuery({ ...FULL_SETTINGS, kernels: 'tfjs' })).toBe('bench_kernels=tfjs');
  });

  it('a link always opens the panel', () => {
    expect(benchLinkQuery(FULL_SETTINGS)).toBe('bench=1');
    expect(benchLinkQuery({ ...FULL_SETTINGS, f16: false })).toBe('bench=1&bench_f16=0');
  });
});

describe('parseBenchQuery', () => {
  it('round-trips every setting', () => {
    const forced = KERNEL_SETTINGS.map((kernels) => ({ ...QUICK_SETTINGS, kernels }));
    for (const settings of [FULL_SETTINGS, QUICK_SETTINGS, smallest, ...forced]) {
      const parsed = parseBenchQuery(`?${benchLinkQuery(settings)}`);
      expect(parsed.settings).toEqual(settings);
      expect(parsed.ignored).toEqual([]);
      expect(parsed.open).toBe(true);
    }
  });

  it('opens the panel for bench=1 or any setting, not without them or with bench=0', () => {
    expect(parseBenchQuery('model=resnet50').open).toBe(false);
    expect(parseBenchQuery('').open).toBe(false);
    expect(parseBenchQuery('bench=1').open).toBe(true);
    expect(parseBenchQuery('bench_steps=5').open).toBe(true);
    expect(parseBenchQuery('bench=0&bench_steps=5')).toMatchObject({
      open: false,
      settings: { timedSteps: '5' },
    });
  });

  it('reads batch lists: 32 and 128 as checkboxes, one other as the extra batch size', () => {
    expect(parseBenchQuery('bench_batches=128, 8').settings).toMatchObject({
      batch32: false,
      batch128: true,
      customBatch: '8',
    });
    expect(parseBenchQuery('bench_batches=32,32').settings).toMatchObject({
      batch32: true,
      batch128: false,
      customBatch: '',
    });
  });

  it('falls back to the default for each malformed value, with the reason', () => {
    const parsed = parseBenchQuery(
      'bench_models=r18,r34&bench_batches=4,8&bench_width=5&bench_warmup=1.5&bench_steps=0x10' +
        '&bench_f16=yes&bench_kernels=Auto&bench=2&bench_colour=red&bench_width=1&model=resnet50',
    );
    expect(parsed.settings).toEqual(FULL_SETTINGS);
    expect(parsed.ignored).toEqual([
      { key: 'bench_models', value: 'r18,r34', reason: 'r34 is not r18 or r50' },
      {
        key: 'bench_batches',
        value: '4,8',
        reason: 'at most one batch size other than 32 and 128',
      },
      { key: 'bench_width', value: '5', reason: 'must be from 0.0625 to 4' },
      { key: 'bench_warmup', value: '1.5', reason: 'must be a whole number' },
      { key: 'bench_steps', value: '0x10', reason: 'is not a number' },
      { key: 'bench_f16', value: 'yes', reason: 'must be 1 or 0' },
      {
        key: 'bench_kernels',
        value: 'Auto',
        reason: 'must be one of auto, direct, tiled, tfjs',
      },
      { key: 'bench', value: '2', reason: 'must be 1 or 0' },
      { key: 'bench_colour', value: 'red', reason: 'unknown parameter' },
      { key: 'bench_width', value: '1', reason: 'repeated; the first value is used' },
    ]);
    expect(parsed.open).toBe(true);
  });

  it('names a bad batch entry and an empty model entry', () => {
    expect(parseBenchQuery('bench_batches=32,0').ignored[0]!.reason).toBe(
      '0 must be from 1 to 512',
    );
    expect(parseBenchQuery('bench_batches=').ignored[0]!.reason).toBe(
      'an empty entry is not a number',
    );
    expect(parseBenchQuery('bench_models=').ignored[0]!.reason).toBe(
      'an empty entry is not r18 or r50',
    );
  });

  it('keeps the leak check at or after 1 + warm-up + 2 × timed steps', () => {
    // 1 + 2 + 2 × 30 = 63 > 62: the link's value is ignored and the default 200 is used.
    expect(parseBenchQuery('bench_steps=30&bench_leak=62')).toMatchObject({
      settings: { timedSteps: '30', leakStep: '200' },
      ignored: [
        {
          key: 'bench_leak',
          value: '62',
          reason: 'must be at least 63 (1 + warm-up + 2 × timed steps)',
        },
      ],
    });
    expect(parseBenchQuery('bench_steps=30&bench_leak=63').settings.leakStep).toBe('63');
    // 1 + 2 + 2 × 100 = 203 > the default 200: the leak check goes right after the timed steps.
    expect(parseBenchQuery('bench_steps=100')).toMatchObject({
      settings: { timedSteps: '100', leakStep: '' },
      ignored: [],
    });
    // 1 + 2 + 2 × 98 = 199 ≤ 200: the default stays.
    expect(parseBenchQuery('bench_steps=98').settings.leakStep).toBe('200');
    expect(parseBenchQuery('bench_leak=43').settings.leakStep).toBe('43');
  });

  it('reads the kernel setting', () => {
    expect(parseBenchQuery('bench_kernels=tiled').settings.kernels).toBe('tiled');
    expect(parseBenchQuery('bench_kernels=cudnn')).toMatchObject({
      settings: { kernels: 'auto' },
      ignored: [
        {
          key: 'bench_kernels',
          value: 'cudnn',
          reason: 'must be one of auto, direct, tiled, tfjs',
        },
      ],
    });
  });

  it('truncates long values in the notice', () => {
    const parsed = parseBenchQuery(`bench_width=${'1'.repeat(100)}`);
    expect(parsed.ignored).toEqual([
      { key: 'bench_width', value: '1'.repeat(64), reason: 'value is too long' },
    ]);
  });
});

describe('the experiment codec', () => {
  it('leaves the Benchmark panel parameters alone (no "unknown parameter")', () => {
    const parsed = parseQuery('bench=1&bench_steps=5&bench_nonsense=1&model=resnet50');
    expect(parsed.ignored).toEqual([]);
    expect(parsed.config.model).toBe('resnet50');
  });
});
