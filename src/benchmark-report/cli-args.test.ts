import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, BenchArgsError, parseBenchArgs, type BenchCliArgs } from './cli-args';

const parsed = (...argv: string[]): BenchCliArgs => {
  const args = parseBenchArgs(argv);
  if (args === 'help') throw new Error('unexpected help');
  return args;
};

const failure = (...argv: string[]): string => {
  try {
    parseBenchArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(BenchArgsError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('parseBenchArgs', () => {
  it('has the defaults: both networks, both batches, 2 + 20 steps, leak check at 43', () => {
    expect(parsed()).toEqual({
      models: ['r18', 'r50'],
      batches: [32, 128],
      warmupSteps: 2,
      timedSteps: 20,
      // 1 + 2 + 2 × 20
      leakStep: 43,
      width18: null,
      width50: null,
      f16: true,
      kernels: 'auto',
      json: null,
      tuningCache: { kind: 'default' },
    });
  });

  it('--quick: ResNet-18-style, 1 + 5 steps, leak check at 1 + 1 + 2 × 5 = 12; flags still win', () => {
    expect(parsed('--quick')).toMatchObject({
      models: ['r18'],
      warmupSteps: 1,
      timedSteps: 5,
      leakStep: 12,
    });
    expect(parsed('--steps', '3', '--quick', '--models', 'r50')).toMatchObject({
      models: ['r50'],
      timedSteps: 3,
      leakStep: 8,
    });
  });

  it('reads every flag', () => {
    expect(
      parsed(
        '--no-f16',
        '--json',
        'out.json',
        '--batches',
        '4, 128,4',
        '--models',
        'r50,r18',
        '--warmup',
        '0',
        '--steps',
        '1',
        '--leak-step',
        '200',
        '--width18',
        '0.25',
        '--width50=.5',
        '--kernels',
        'tiled',
        '--tuning-cache',
        '/tmp/k.json',
      ),
    ).toEqual({
      models: ['r50', 'r18'],
      batches: [4, 128],
      warmupSteps: 0,
      timedSteps: 1,
      leakStep: 200,
      width18: 0.25,
      width50: 0.5,
      f16: false,
      kernels: 'tiled',
      json: 'out.json',
      tuningCache: { kind: 'file', path: '/tmp/k.json' },
    });
    expect(parsed('--tuning-cache', 'none').tuningCache).toEqual({ kind: 'none' });
  });

  it('answers help whatever else is given', () => {
    expect(parseBenchArgs(['--help'])).toBe('help');
    expect(parseBenchArgs(['-h', '--warmup', 'abc'])).toBe('help');
    expect(BENCH_USAGE).toContain('--kernels K');
    expect(BENCH_USAGE).toContain('--tuning-cache FILE');
  });

  it('names the flag and the value of a malformed number', () => {
    expect(failure('--warmup', 'abc')).toBe("--warmup: 'abc' is not a whole number ≥ 0");
    expect(failure('--warmup=-1')).toBe("--warmup: '-1' is not a whole number ≥ 0");
    expect(failure('--steps', '0')).toBe("--steps: '0' is not a whole number ≥ 1");
    expect(failure('--steps', '2.5')).toBe("--steps: '2.5' is not a whole number ≥ 1");
    expect(failure('--steps', '0x10')).toBe("--steps: '0x10' is not a whole number ≥ 1");
    expect(failure('--batches', '32,abc')).toBe("--batches: 'abc' is not a whole number ≥ 1");
    expect(failure('--batches', '32,,128')).toBe("--batches: '32,,128' has an empty entry");
    expect(failure('--width18', '0')).toBe("--width18: '0' is not a positive number");
    expect(failure('--width50', 'wide')).toBe("--width50: 'wide' is not a positive number");
    expect(failure('--width50', 'Infinity')).toBe("--width50: 'Infinity' is not a positive number");
  });

  it('refuses a leak check before the last timed step, an unknown network or kernel', () => {
    expect(failure('--quick', '--leak-step', '11')).toBe(
      '--leak-step: 11 is before the last timed step; the minimum is 12 (1 + warm-up + 2 × timed steps)',
    );
    expect(failure('--models', 'r18,r34')).toBe("--models: 'r34' is not r18 or r50");
    expect(failure('--kernels', 'cudnn')).toBe(
      "--kernels: 'cudnn' is not one of auto, direct, tiled, tfjs",
    );
    expect(failure('--tuning-cache', '')).toBe("--tuning-cache: needs a file name, or 'none'");
  });

  it('refuses unknown flags, positionals and missing values (parseArgs, strict)', () => {
    expect(failure('--bogus')).toMatch(/Unknown option '--bogus'/);
    expect(failure('extra')).toMatch(/extra/);
    expect(failure('--json')).toMatch(/--json/);
    expect(failure('--warmup', '-1')).toMatch(/ambiguous/);
  });
});
