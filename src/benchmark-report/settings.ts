import type { KernelSetting } from '../tuning-plan/plan';
import { fp16Variants, type BenchModel } from './report';
import { parseDecimal } from '../config/number-text';

/**
 * The Benchmark panel's settings: what the user typed (strings, so a half-typed number is never
 * lost) and the validated request the worker runs. Pure.
 */

export interface BenchmarkSettings {
  resnet18: boolean;
  resnet50: boolean;
  batch32: boolean;
  batch128: boolean;
  /** One more batch size, 1–512; empty for none. */
  customBatch: string;
  width: string;
  warmupSteps: string;
  timedSteps: string;
  /** The step after which tensors and GPU bytes are read again; empty = right after the timed steps. */
  leakStep: string;
  /**
   * FP16 rows: 'engine f16-storage/f32' (packed f16 storage, f32 arithmetic) on every adapter, and
   * 'engine f16-storage/f16' (f16 arithmetic too) where the adapter has shader-f16.
   */
  f16: boolean;
  /** Convolution kernels of the engine rows: tuned per layer ('auto') or one family forced. */
  kernels: KernelSetting;
}

/** What the worker runs: plain data, sent through Comlink. */
export interface BenchmarkRequest {
  models: BenchModel[];
  batches: number[];
  width: number;
  warmupSteps: number;
  timedSteps: number;
  leakStep: number;
  f16: boolean;
  kernels: KernelSetting;
}

/** Sized for a real GPU: both networks at batches 32 and 128, 20 timed steps, the 200-step leak check. */
export const FULL_SETTINGS: BenchmarkSettings = {
  resnet18: true,
  resnet50: true,
  batch32: true,
  batch128: true,
  customBatch: '',
  width: '0.25',
  warmupSteps: '2',
  timedSteps: '20',
  leakStep: '200',
  f16: true,
  kernels: 'auto',
};

/** As `npm run bench -- --quick`: ResNet-18-style only, 1 warm-up + 5 timed steps, width 1/16. */
export const QUICK_SETTINGS: BenchmarkSettings = {
  ...FULL_SETTINGS,
  resnet50: false,
  width: '0.0625',
  warmupSteps: '1',
  timedSteps: '5',
  leakStep: '',
};

export const LIMITS = {
  width: { min: 0.0625, max: 4 },
  batch: { min: 1, max: 512 },
  warmupSteps: { min: 0, max: 100 },
  timedSteps: { min: 1, max: 1000 },
  leakStep: { max: 10_000 },
} as const;

export type SettingsCheck =
  { ok: true; request: BenchmarkRequest } | { ok: false; problems: string[] };

function parseNumber(
  text: string,
  what: string,
  min: number,
  max: number,
  whole: boolean,
  problems: string[],
): number {
  const n = parseDecimal(text) ?? Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    problems.push(`${what} must be ${whole ? 'a whole number ' : ''}from ${min} to ${max}.`);
  }
  return n;
}

/**
 * The smallest leak-check step: step 1, the warm-up, and the timed steps twice (an engine row
 * times them once with the loss read back every few steps, once with a readback per step).
 */
export function minimumLeakStep(warmupSteps: number, timedSteps: number): number {
  return 1 + warmupSteps + 2 * timedSteps;
}

/** Checks every field; each problem names its control. */
export function checkSettings(settings: BenchmarkSettings): SettingsCheck {
  const problems: string[] = [];
  const models: BenchModel[] = [];
  if (settings.resnet18) models.push('resnet18-style');
  if (settings.resnet50) models.push('resnet50-style');
  if (models.length === 0) problems.push('Choose at least one network.');
  const batches: number[] = [];
  if (settings.batch32) batches.push(32);
  if (settings.batch128) batches.push(128);
  if (settings.customBatch.trim() !== '') {
    const { min, max } = LIMITS.batch;
    const b = parseNumber(settings.customBatch, 'Other batch size', min, max, true, problems);
    if (Number.isInteger(b) && b >= min && b <= max && !batches.includes(b)) batches.push(b);
  }
  if (batches.length === 0) problems.push('Choose at least one batch size.');
  batches.sort((a, b) => a - b);
  const width = parseNumber(
    settings.width,
    'Width multiplier',
    LIMITS.width.min,
    LIMITS.width.max,
    false,
    problems,
  );
  const warmupSteps = parseNumber(
    settings.warmupSteps,
    'Warm-up steps',
    LIMITS.warmupSteps.min,
    LIMITS.warmupSteps.max,
    true,
    problems,
  );
  const timedSteps = parseNumber(
    settings.timedSteps,
    'Timed steps',
    LIMITS.timedSteps.min,
    LIMITS.timedSteps.max,
    true,
    problems,
  );
  let leakStep = NaN;
  if (Number.isInteger(warmupSteps) && Number.isInteger(timedSteps)) {
    const min = minimumLeakStep(warmupSteps, timedSteps);
    leakStep =
      settings.leakStep.trim() === ''
        ? min
        : parseNumber(
            settings.leakStep,
            'Leak check step',
            min,
            Math.max(min, LIMITS.leakStep.max),
            true,
            problems,
          );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      models,
      batches,
      width,
      warmupSteps,
      timedSteps,
      leakStep,
      f16: settings.f16,
      kernels: settings.kernels,
    },
  };
}

/**
 * Rows the request will measure on an adapter: networks × batches × variants (tf.layers, engine
 * f32, and the FP16 rows the adapter runs).
 */
export function plannedRowCount(request: BenchmarkRequest, shaderF16: boolean): number {
  const variants = 2 + (request.f16 ? fp16Variants(shaderF16).length : 0);
  return request.models.length * request.batches.length * variants;
}
