import { describe, expect, it } from 'vitest';
import { F32, numberFormat } from '../config/number-format';
import {
  adapterKey,
  convGflops,
  convShapeKey,
  emptyCache,
  fastest,
  hopeless,
  exclusionNotices,
  MAX_RUNS_PER_SAMPLE,
  mergeEntries,
  MIN_SAMPLE_MS,
  parseTuningCache,
  runsPerSample,
  serializeTuningCache,
  TUNING_CACHE_VERSION,
  type ConvShape,
} from './plan';

const SHAPE: ConvShape = {
  batch: 128,
  inHeight: 32,
  inWidth: 32,
  inChannels: 16,
  outChannels: 32,
  kernelHeight: 3,
  kernelWidth: 3,
  stride: 2,
  pad: 1,
};
const KNOWN = new Set(['direct', 'tiled-64x64', 'tfjs']);

describe('cache keys', () => {
  it('name every field a kernel depends on', () => {
    expect(convShapeKey('inputGrad', SHAPE, numberFormat('f32', 'f16'))).toBe(
      'inputGrad 3×3/2 p1 128×32×32×16→32 f32-storage/f16',
    );
  });

  it('tell shapes apart that differ in one field only', () => {
    const keys = new Set([
      convShapeKey('forward', SHAPE, F32),
      convShapeKey('forward', { ...SHAPE, batch: 127 }, F32),
      convShapeKey('forward', { ...SHAPE, inWidth: 31 }, F32),
      convShapeKey('forward', { ...SHAPE, pad: 0 }, F32),
      convShapeKey('forward', SHAPE, numberFormat('f32', 'emulated')),
      convShapeKey('forward', SHAPE, numberFormat('f16', 'f32')),
      convShapeKey('filterGrad', SHAPE, F32),
    ]);
    expect(keys.size).toBe(7);
  });

  it('identify the adapter by vendor, architecture, device, description and runtime', () => {
    const a = {
      vendor: 'nvidia',
      architecture: 'hopper',
      device: '',
      description: 'H100',
      software: 'Chrome/143',
    };
    expect(adapterKey(a)).toBe('nvidia | hopper | - | H100 | Chrome/143');
    expect(adapterKey({ ...a, description: 'H200' })).not.toBe(adapterKey(a));
    // A browser update re-tunes.
    expect(adapterKey({ ...a, software: 'Chrome/144' })).not.toBe(adapterKey(a));
  });
});

describe('choosing among fake timings', () => {
  it('keeps the fastest finite time', () => {
    const best = fastest([
      { id: 'direct', family: 'direct', ms: 4 },
      { id: 'tiled-64x64', family: 'tiled', ms: 2.5 },
      { id: 'tfjs', family: 'tfjs', ms: 3 },
    ]);
    expect(best?.id).toBe('tiled-64x64');
  });

  it('skips failed candidates (NaN) and ties go to the earlier one', () => {
    const best = fastest([
      { id: 'tiled-64x64', family: 'tiled', ms: Number.NaN },
      { id: 'direct', family: 'direct', ms: 3 },
      { id: 'tfjs', family: 'tfjs', ms: 3 },
    ]);
    expect(best?.id).toBe('direct');
    expect(fastest([{ id: 'direct', family: 'direct', ms: Number.NaN }])).toBeNull();
    expect(fastest([])).toBeNull();
  });

  it('stops timing a candidate whose first run is over 3× the best so far', () => {
    expect(hopeless(31, 10)).toBe(true);
    expect(hopeless(29, 10)).toBe(false);
    expect(hopeless(1000, null)).toBe(false);
  });

  it('a zero reading (under one timer tick) and an excluded candidate are never the fastest', () => {
    const best = fastest([
      { id: 'direct', family: 'direct', ms: 0 },
      { id: 'tiled-64x64', family: 'tiled', ms: 0.5, verdict: 'wrong', detail: 'off' },
      { id: 'tfjs', family: 'tfjs', ms: 2 },
    ]);
    expect(best?.id).toBe('tfjs');
  });

  it('sizes a sample to span the timer minimum, within the cap', () => {
    // 0.3 ms per run: 4 runs span 1.2 ms ≥ 1 ms; 3 would span 0.9 ms.
    expect(runsPerSample(0.3, 1)).toBe(4);
    expect(runsPerSample(40, 1)).toBe(1);
    expect(runsPerSample(0.0001, 1)).toBe(MAX_RUNS_PER_SAMPLE);
    expect(runsPerSample(0, 1)).toBe(MAX_RUNS_PER_SAMPLE);
    expect(MIN_SAMPLE_MS.gpu).toBe(1);
  });

  it('GFLOP/s counts 2 FLOPs per multiply-add', () => {
    // Output 16×16 (stride 2, pad 1): 128·16·16·32·3·3·16 = 150,994,944 MACs; in 1 ms:
    expect(convGflops(SHAPE, 1)).toBeCloseTo(301.989888, 6);
  });
});

describe('the stored cache', () => {
  const entries = {
    'forward 3×3/2 p1 128×32×32×16→32 f32': {
      chosen: 'tiled-64x64',
      timings: [
        { id: 'direct', family: 'direct' as const, ms: 4 },
        { id: 'tiled-64x64', family: 'tiled' as const, ms: 2 },
        { id: 'tfjs', family: 'tfjs' as const, ms: Number.NaN },
      ],
    },
  };

  it('round-trips a verdict and its detail', () => {
    const wrong = {
      'forward k': {
        chosen: 'direct',
        timings: [
          { id: 'direct', family: 'direct' as const, ms: 1 },
          {
            id: 'tiled-64x64',
            family: 'tiled' as const,
            ms: Number.NaN,
            verdict: 'wrong' as const,
            detail: '3 of 32 sampled outputs off the CPU reference',
          },
        ],
      },
    };
    const data = mergeEntries(emptyCache(), 'gpu A', wrong);
    expect(parseTuningCache(serializeTuningCache(data), KNOWN).data).toEqual(data);
  });

  it('round-trips, a failed time (NaN) included', () => {
    const data = mergeEntries(emptyCache(), 'gpu A', entries);
    const parsed = parseTuningCache(serializeTuningCache(data), KNOWN);
    expect(parsed.notice).toBeNull();
    expect(parsed.data).toEqual(data);
  });

  it('keeps other adapters when one is merged', () => {
    const one = mergeEntries(emptyCache(), 'gpu A', entries);
    const two = mergeEntries(one, 'gpu B', entries);
    expect(Object.keys(two.adapters)).toEqual(['gpu A', 'gpu B']);
  });

  it('nothing stored: empty, no notice', () => {
    expect(parseTuningCache(undefined, KNOWN)).toEqual({ data: emptyCache(), notice: null });
  });

  it.each([
    ['not JSON', '{"version": 1, "adap', /not valid JSON/],
    ['the wrong shape', '{"version": 1, "adapters": []}', /corrupt/],
    [
      'a wrong field type',
      JSON.stringify({ version: 1, adapters: { a: { k: { chosen: 3 } } } }),
      /corrupt/,
    ],
    [
      'another version',
      JSON.stringify({ version: TUNING_CACHE_VERSION + 1, adapters: {} }),
      /another engine version/,
    ],
  ])('%s is ignored with a notice, never thrown', (_what, text, notice) => {
    const parsed = parseTuningCache(text, KNOWN);
    expect(parsed.data).toEqual(emptyCache());
    expect(parsed.notice).toMatch(notice);
  });

  it('drops choices of kernels that no longer exist, with a notice', () => {
    const stale = mergeEntries(emptyCache(), 'gpu A', {
      ...entries,
      'forward other': { chosen: 'tiled-999x1', timings: [] },
    });
    const parsed = parseTuningCache(serializeTuningCache(stale), KNOWN);
    expect(Object.keys(parsed.data.adapters['gpu A']!)).toEqual(Object.keys(entries));
    expect(parsed.notice).toMatch(/1 cached kernel choice named unknown kernels/);
  });
});

describe('exclusion notices', () => {
  it('one per kernel and verdict, naming where, how many more and why', () => {
    const notices = exclusionNotices([
      { id: 'tiled-128x128', verdict: 'wrong', where: 'forward 3×3/1 a', detail: '5 of 32 off' },
      { id: 'tiled-128x128', verdict: 'wrong', where: 'forward 3×3/1 b', detail: '1 of 32 off' },
      { id: 'tiled-128x128', verdict: 'wrong', where: 'inputGrad 1×1/2 c' },
      { id: 'direct', verdict: 'compile', where: 'forward x', detail: 'error: bad token' },
    ]);
    expect(notices).toEqual([
      'tiled-128x128 gives wrong results on this GPU (forward 3×3/1 a, and 2 more: 5 of 32 off); not used there.',
      'direct does not compile on this GPU (forward x: error: bad token); not used there.',
    ]);
  });

  it('says when the verdicts were remembered from the tuning cache', () => {
    const [notice] = exclusionNotices([{ id: 'direct', verdict: 'gpu-error', where: 'w' }], true);
    expect(notice).toBe(
      'direct raised a GPU error on this GPU (w); not used there (found by an earlier tuning, kept in the tuning cache).',
    );
  });
});
