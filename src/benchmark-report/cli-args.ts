import { parseArgs } from 'node:util';
import { KERNEL_SETTINGS, type KernelSetting } from '../tuning-plan/plan';
import { minimumLeakStep } from './settings';
import { parseDecimal } from '../config/number-text';
import { errorMessage } from '../errors';

/**
 * The flags of `npm run bench` (bench/engine.ts), parsed with node:util's parseArgs and checked
 * here, so that a typo fails with a message instead of running hours with a default. Pure.
 */

export const BENCH_USAGE = `Engine benchmark: stock tf.layers vs our engine (f32, and FP16: f16 storage with
f32 arithmetic on every adapter, and f16 arithmetic too with shader-f16).

usage: npm run bench -- [flags]

  --quick               ResNet-18-style only, 1 warm-up + 5 timed steps
  --no-f16              skip the FP16 rows (engine f16-storage/f16, engine f16-storage/f32)
  --json FILE           write the JSON report to FILE
  --batches LIST        batch sizes, comma-separated (default 32,128)
  --models LIST         r18 and/or r50, comma-separated (default r18,r50; --quick: r18)
  --warmup N            untimed steps after step 1 (default 2; --quick: 1)
  --steps N             timed steps, run twice by engine rows: loss read back every
                        10 steps (img/s), then after every step (sync img/s) (default 20; --quick: 5)
  --leak-step N         step after which tensors and GPU bytes are read again
                        (default and minimum: 1 + warm-up + 2 × timed steps)
  --width18 W           width multiplier of the ResNet-18-style network (default 0.0625)
  --width50 W           width multiplier of the ResNet-50-style network (default 0.0625)
  --kernels K           convolution kernels of the engine rows: auto (the fastest per layer,
                        tuned), direct, tiled or tfjs (default auto)
  --tuning-cache FILE   kernel tuning cache file (default: the user's cache folder,
                        $TRICKS_PLAYGROUND_CACHE or ~/.cache/tricks-playground); none: no cache
  -h, --help            print this and exit
`;

export type CliModel = 'r18' | 'r50';

/** Where tuned kernel choices are kept between runs. */
export type TuningCacheChoice =
  { kind: 'default' } | { kind: 'none' } | { kind: 'file'; path: string };

export interface BenchCliArgs {
  models: CliModel[];
  batches: number[];
  warmupSteps: number;
  timedSteps: number;
  leakStep: number;
  /** null: the network's default width (lavapipe-sized). */
  width18: number | null;
  width50: number | null;
  f16: boolean;
  kernels: KernelSetting;
  json: string | null;
  tuningCache: TuningCacheChoice;
}

/** A flag's value is malformed or out of range; the message names the flag. */
export class BenchArgsError extends Error {
  override name = 'BenchArgsError';
}

function whole(flag: string, raw: string, min: number): number {
  const n = parseDecimal(raw);
  if (n === null || !Number.isInteger(n) || n < min) {
    throw new BenchArgsError(`${flag}: '${raw}' is not a whole number ≥ ${min}`);
  }
  return n;
}

function positive(flag: string, raw: string): number {
  const n = parseDecimal(raw);
  if (n === null || !(n > 0) || !Number.isFinite(n)) {
    throw new BenchArgsError(`${flag}: '${raw}' is not a positive number`);
  }
  return n;
}

function list(flag: string, raw: string): string[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new BenchArgsError(`${flag}: '${raw}' has an empty entry`);
  return parts;
}

const isKernelSetting = (raw: string): raw is KernelSetting =>
  (KERNEL_SETTINGS as readonly string[]).includes(raw);

/**
 * Parses and checks argv (without node and the script): 'help' when -h/--help is among the
 * flags (whatever the others), else the arguments; throws BenchArgsError on a bad flag.
 */
export function parseBenchArgs(argv: readonly string[]): BenchCliArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        'no-f16': { type: 'boolean' },
        json: { type: 'string' },
        batches: { type: 'string' },
        models: { type: 'string' },
        warmup: { type: 'string' },
        steps: { type: 'string' },
        'leak-step': { type: 'string' },
        width18: { type: 'string' },
        width50: { type: 'string' },
        kernels: { type: 'string' },
        'tuning-cache': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new BenchArgsError(errorMessage(error));
  }
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const models = list('--models', values.models ?? (quick ? 'r18' : 'r18,r50')).map((m) => {
    if (m !== 'r18' && m !== 'r50') throw new BenchArgsError(`--models: '${m}' is not r18 or r50`);
    return m;
  });
  const batches = list('--batches', values.batches ?? '32,128').map((b) =>
    whole('--batches', b, 1),
  );
  const warmupSteps =
    values.warmup === undefined ? (quick ? 1 : 2) : whole('--warmup', values.warmup, 0);
  const timedSteps =
    values.steps === undefined ? (quick ? 5 : 20) : whole('--steps', values.steps, 1);
  const minimum = minimumLeakStep(warmupSteps, timedSteps);
  const leakStep =
    values['leak-step'] === undefined ? minimum : whole('--leak-step', values['leak-step'], 1);
  if (leakStep < minimum) {
    throw new BenchArgsError(
      `--leak-step: ${leakStep} is before the last timed step; the minimum is ${minimum} (1 + warm-up + 2 × timed steps)`,
    );
  }
  const kernels = values.kernels ?? 'auto';
  if (!isKernelSetting(kernels)) {
    throw new BenchArgsError(`--kernels: '${kernels}' is not one of ${KERNEL_SETTINGS.join(', ')}`);
  }
  const cache = values['tuning-cache'];
  if (cache !== undefined && cache.trim() === '') {
    throw new BenchArgsError("--tuning-cache: needs a file name, or 'none'");
  }
  return {
    models: [...new Set(models)],
    batches: [...new Set(batches)],
    warmupSteps,
    timedSteps,
    leakStep,
    width18: values.width18 === undefined ? null : positive('--width18', values.width18),
    width50: values.width50 === undefined ? null : positive('--width50', values.width50),
    f16: !(values['no-f16'] ?? false),
    kernels,
    json: values.json ?? null,
    tuningCache:
      cache === undefined
        ? { kind: 'default' }
        : cache === 'none'
          ? { kind: 'none' }
          : { kind: 'file', path: cache },
  };
}
