import { KERNEL_SETTINGS, type KernelSetting } from '../tuning-plan/plan';
import { isBenchmarkKey, type IgnoredParam } from '../config';
import { READBACK_STEPS } from '../run-control/readback-interval';
import { FULL_SETTINGS, LIMITS, minimumLeakStep, type BenchmarkSettings } from './settings';
import { parseDecimal } from '../config/number-text';

/**
 * The Benchmark panel's settings in the page address, so a link can open the panel with them
 * filled in (never running it). Keys mirror `npm run bench`'s flags; only values that differ
 * from the Full preset are written; a malformed value falls back to its default and is listed
 * with the reason. Pure.
 */

export interface BenchParam {
  key: `bench_${string}`;
  /** The README's "meaning" and "range" cells. */
  meaning: string;
  range: string;
  /** The value for these settings; null when they hold no valid value for it (not written). */
  format: (s: BenchmarkSettings) => string | null;
  /** The settings with this value applied, or why it cannot be. */
  apply: (s: BenchmarkSettings, raw: string) => BenchmarkSettings | { reason: string };
}

/** A plain decimal number in [min, max] (whole when asked), or why not. */
function numberIn(
  raw: string,
  min: number,
  max: number,
  whole: boolean,
): number | { reason: string } {
  const n = parseDecimal(raw);
  if (n === null) return { reason: 'is not a number' };
  if (whole && !Number.isInteger(n)) return { reason: 'must be a whole number' };
  if (n < min || n > max) return { reason: `must be from ${min} to ${max}` };
  return n;
}

/** The canonical text of a number field, or null when it is not a valid value. */
function formatNumber(text: string, min: number, max: number, whole: boolean): string | null {
  const n = numberIn(text, min, max, whole);
  return typeof n === 'number' ? String(n) : null;
}

function numberParam(
  key: `bench_${string}`,
  field: 'width' | 'warmupSteps' | 'timedSteps',
  meaning: string,
  limits: { min: number; max: number },
  whole: boolean,
): BenchParam {
  const { min, max } = limits;
  return {
    key,
    meaning,
    range: `${min} – ${max}${whole ? ', whole' : ''}`,
    format: (s) => formatNumber(s[field], min, max, whole),
    apply: (s, raw) => {
      const n = numberIn(raw, min, max, whole);
      return typeof n === 'number' ? { ...s, [field]: String(n) } : n;
    },
  };
}

const MODEL_CODES = { r18: 'resnet18', r50: 'resnet50' } as const;
type ModelCode = keyof typeof MODEL_CODES;
const isModelCode = (code: string): code is ModelCode => Object.hasOwn(MODEL_CODES, code);

const listOf = (raw: string) => raw.split(',').map((part) => part.trim());

const models: BenchParam = {
  key: 'bench_models',
  meaning: 'networks: `r18` = ResNet-18-style (32×32), `r50` = ResNet-50-style (64×64)',
  range: '`r18`, `r50`, comma-separated',
  format: (s) => {
    const codes = (Object.keys(MODEL_CODES) as ModelCode[]).filter((c) => s[MODEL_CODES[c]]);
    return codes.length > 0 ? codes.join(',') : null;
  },
  apply: (s, raw) => {
    const codes = listOf(raw);
    const unknown = codes.find((c) => !isModelCode(c));
    if (unknown !== undefined) {
      return { reason: `${unknown === '' ? 'an empty entry' : unknown} is not r18 or r50` };
    }
    return { ...s, resnet18: codes.includes('r18'), resnet50: codes.includes('r50') };
  },
};

const PRESET_BATCHES = [32, 128] as const;

const batches: BenchParam = {
  key: 'bench_batches',
  meaning: 'batch sizes: 32 and/or 128, plus at most one other',
  range: `${LIMITS.batch.min} – ${LIMITS.batch.max}, whole, comma-separated`,
  format: (s) => {
    const list: number[] = [];
    if (s.batch32) list.push(32);
    if (s.batch128) list.push(128);
    const other = formatNumber(s.customBatch, LIMITS.batch.min, LIMITS.batch.max, true);
    if (other !== null && !list.includes(Number(other))) list.push(Number(other));
    return list.length > 0 ? list.sort((a, b) => a - b).join(',') : null;
  },
  apply: (s, raw) => {
    const list: number[] = [];
    for (const part of listOf(raw)) {
      const n = numberIn(part, LIMITS.batch.min, LIMITS.batch.max, true);
      if (typeof n !== 'number') return { reason: `${part || 'an empty entry'} ${n.reason}` };
      if (!list.includes(n)) list.push(n);
    }
    const others = list.filter((b) => !(PRESET_BATCHES as readonly number[]).includes(b));
    if (others.length > 1) return { reason: 'at most one batch size other than 32 and 128' };
    return {
      ...s,
      batch32: list.includes(32),
      batch128: list.includes(128),
      customBatch: others.length === 1 ? String(others[0]) : '',
    };
  },
};

const leak: BenchParam = {
  key: 'bench_leak',
  meaning:
    'leak check after this step (tensors and GPU bytes read again); empty = right after the timed steps',
  range: `1 + \`bench_warmup\` + 2 × \`bench_steps\` – ${LIMITS.leakStep.max}, whole, or empty`,
  format: (s) =>
    s.leakStep.trim() === '' ? '' : formatNumber(s.leakStep, 1, LIMITS.leakStep.max, true),
  apply: (s, raw) => {
    if (raw.trim() === '') return { ...s, leakStep: '' };
    const n = numberIn(raw, 1, LIMITS.leakStep.max, true);
    return typeof n === 'number' ? { ...s, leakStep: String(n) } : n;
  },
};

const f16: BenchParam = {
  key: 'bench_f16',
  meaning:
    'FP16 rows: engine f16-storage/f32 on every adapter, engine f16-storage/f16 with `shader-f16`',
  range: '`1`/`0`',
  format: (s) => (s.f16 ? '1' : '0'),
  apply: (s, raw) =>
    raw === '1' || raw === '0' ? { ...s, f16: raw === '1' } : { reason: 'must be 1 or 0' },
};

const isKernelSetting = (raw: string): raw is KernelSetting =>
  (KERNEL_SETTINGS as readonly string[]).includes(raw);

const kernels: BenchParam = {
  key: 'bench_kernels',
  meaning:
    'convolution kernels of the engine rows: `auto` = the fastest per layer (tuned), or one family forced',
  range: KERNEL_SETTINGS.map((k) => `\`${k}\``).join(', '),
  format: (s) => s.kernels,
  apply: (s, raw) =>
    isKernelSetting(raw)
      ? { ...s, kernels: raw }
      : { reason: `must be one of ${KERNEL_SETTINGS.join(', ')}` },
};

/** Every settings parameter, in the order they are written. */
export const BENCH_PARAMS: readonly BenchParam[] = [
  models,
  batches,
  numberParam('bench_width', 'width', 'width multiplier of both networks', LIMITS.width, false),
  numberParam(
    'bench_warmup',
    'warmupSteps',
    'warm-up steps (untimed, after step 1)',
    LIMITS.warmupSteps,
    true,
  ),
  numberParam(
    'bench_steps',
    'timedSteps',
    `timed steps (twice in engine rows: readback every ${READBACK_STEPS} steps, then every step)`,
    LIMITS.timedSteps,
    true,
  ),
  leak,
  f16,
  kernels,
];

/** The key that opens the Benchmark panel (any `bench_*` key opens it too). */
export const OPEN_KEY = 'bench';

/** Each key's value for the Full preset (what is not written). */
export const BENCH_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  BENCH_PARAMS.map((p) => [p.key, p.format(FULL_SETTINGS) ?? '']),
);

export interface ParsedBenchQuery {
  settings: BenchmarkSettings;
  /** Open the panel and scroll to it: `bench=1`, or any `bench_*` key without `bench=0`. */
  open: boolean;
  ignored: IgnoredParam[];
}

const MAX_VALUE_LENGTH = 64;

/** A leak-check step below 1 + warm-up + 2 × timed steps cannot be: the default, or else empty. */
function consistentLeak(
  settings: BenchmarkSettings,
  fromLink: boolean,
  ignored: IgnoredParam[],
): BenchmarkSettings {
  if (settings.leakStep.trim() === '') return settings;
  const min = minimumLeakStep(Number(settings.warmupSteps), Number(settings.timedSteps));
  if (Number(settings.leakStep) >= min) return settings;
  if (fromLink) {
    ignored.push({
      key: leak.key,
      value: settings.leakStep,
      reason: `must be at least ${min} (1 + warm-up + 2 × timed steps)`,
    });
  }
  const fallback = Number(FULL_SETTINGS.leakStep) >= min ? FULL_SETTINGS.leakStep : '';
  return { ...settings, leakStep: fallback };
}

/** Reads the panel's parameters from a query string; never throws, other keys are left alone. */
export function parseBenchQuery(search: string): ParsedBenchQuery {
  let settings: BenchmarkSettings = { ...FULL_SETTINGS };
  const ignored: IgnoredParam[] = [];
  const seen = new Set<string>();
  let open: boolean | null = null;
  let anySetting = false;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  } catch {
    return { settings, open: false, ignored };
  }
  for (const [key, raw] of params) {
    if (!isBenchmarkKey(key)) continue;
    const value = raw.slice(0, MAX_VALUE_LENGTH);
    const shownKey = key.slice(0, MAX_VALUE_LENGTH);
    if (seen.has(key)) {
      ignored.push({ key: shownKey, value, reason: 'repeated; the first value is used' });
      continue;
    }
    seen.add(key);
    if (key === OPEN_KEY) {
      if (raw === '1' || raw === '0') open = raw === '1';
      else ignored.push({ key, value, reason: 'must be 1 or 0' });
      continue;
    }
    anySetting = true;
    const param = BENCH_PARAMS.find((p) => p.key === key);
    if (!param) {
      ignored.push({ key: shownKey, value, reason: 'unknown parameter' });
      continue;
    }
    if (raw.length > MAX_VALUE_LENGTH) {
      ignored.push({ key, value, reason: 'value is too long' });
      continue;
    }
    const next = param.apply(settings, raw);
    if ('reason' in next) ignored.push({ key, value, reason: next.reason });
    else settings = next;
  }
  settings = consistentLeak(settings, seen.has(leak.key), ignored);
  return { settings, open: open ?? anySetting, ignored };
}

/** The panel's parameters for `settings`: only values that differ from the Full preset. */
export function toBenchQuery(settings: BenchmarkSettings): string {
  const params = new URLSearchParams();
  for (const p of BENCH_PARAMS) {
    const value = p.format(settings);
    if (value !== null && value !== BENCH_DEFAULTS[p.key]) params.set(p.key, value);
  }
  return params.toString();
}

/** A link's query that opens the panel with `settings`: `bench=1`, then the settings. */
export function benchLinkQuery(settings: BenchmarkSettings): string {
  const query = toBenchQuery(settings);
  return `${OPEN_KEY}=1${query ? `&${query}` : ''}`;
}
