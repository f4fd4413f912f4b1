import { z } from 'zod';
import { formatKey, type NumberFormat } from '../config/number-format';

/**
 * The pure half of the convolution autotuner: cache keys, the choice among measured candidates,
 * and the cache file's format. No tfjs here; the timing runs in src/engine/autotune.
 *
 * Like cuDNN's benchmark mode, the engine times every applicable kernel for each distinct
 * (op, shape, number format) of the network about to train and keeps the fastest. The choice holds for
 * one adapter only, so the cache is keyed by the adapter's identity first.
 */

export const CONV_FAMILIES = ['direct', 'tiled', 'tfjs'] as const;
export type ConvFamily = (typeof CONV_FAMILIES)[number];
export const KERNEL_SETTINGS = ['auto', ...CONV_FAMILIES] as const;
/** 'auto' tunes; a family name forces that family wherever it applies. */
export type KernelSetting = (typeof KERNEL_SETTINGS)[number];

export type ConvOp = 'forward' | 'inputGrad' | 'filterGrad';
export const CONV_OPS: readonly ConvOp[] = ['forward', 'inputGrad', 'filterGrad'];

/** What the tuner needs of a convolution: NHWC input, kernel, stride and padding. */
export interface ConvShape {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  stride: number;
  pad: number;
}

/**
 * Bumped whenever a kernel changes in a way that may change which one wins: choices cached under
 * another version are stale and ignored.
 */
export const TUNING_CACHE_VERSION = 3;

/**
 * What identifies a GPU, its driver and the WebGPU implementation driving it: GPUAdapterInfo's
 * fields (browsers reveal little; Dawn's description names the driver's version) and the runtime
 * (the browser's user agent, or Node/Deno with their versions), so that an update re-tunes.
 */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: string;
}

export function adapterKey(a: AdapterIdentity): string {
  return [a.vendor, a.architecture, a.device, a.description, a.software]
    .map((s) => s || '-')
    .join(' | ');
}

/**
 * e.g. "forward 3×3/1 p1 128×32×32×16→16 f32": every field a kernel's speed depends on, the number
 * format included (f16 storage moves half the bytes: another kernel may win).
 */
export function convShapeKey(op: ConvOp, s: ConvShape, format: NumberFormat): string {
  const kernel = `${s.kernelHeight}×${s.kernelWidth}/${s.stride} p${s.pad}`;
  const tensor = `${s.batch}×${s.inHeight}×${s.inWidth}×${s.inChannels}→${s.outChannels}`;
  return `${op} ${kernel} ${tensor} ${formatKey(format)}`;
}

/**
 * Why a candidate may not be chosen on this adapter: its pipeline did not compile, its output
 * disagreed with the CPU reference, it raised a GPU error, or it threw (a limit of the adapter).
 */
export const CANDIDATE_VERDICTS = ['compile', 'wrong', 'gpu-error', 'failed'] as const;
export type CandidateVerdict = (typeof CANDIDATE_VERDICTS)[number];

/**
 * One candidate's measured time: the fastest of its samples, in ms per run. NaN when it was not
 * timed: excluded (`verdict` says why), too slow to be worth timing, or faster than the timer can
 * tell even repeated (never taken for "fastest").
 */
export interface CandidateTiming {
  /** Kernel id: 'direct', 'tfjs' or a tiled shape such as 'tiled-64x64'. */
  id: string;
  family: ConvFamily;
  ms: number;
  /** Runs per timed sample when `ms` was measured (each sample spans MIN_SAMPLE_MS). */
  runs?: number;
  verdict?: CandidateVerdict;
  /** What the verdict rests on: the compiler's or the GPU's message, or the mismatch. */
  detail?: string;
}

/**
 * The fastest candidate with a positive finite time and no verdict against it; ties go to the
 * earlier one. Null if none has. A zero reading is "under one timer tick", never the fastest.
 */
export function fastest(timings: readonly CandidateTiming[]): CandidateTiming | null {
  let best: CandidateTiming | null = null;
  for (const t of timings) {
    if (t.verdict !== undefined || !Number.isFinite(t.ms) || t.ms <= 0) continue;
    if (!best || t.ms < best.ms) best = t;
  }
  return best;
}

/**
 * Whether timing a candidate can stop after its first timing: once that took more than `factor`
 * × the best median so far (same timer), it cannot win, and more timings would only cost time.
 */
export function hopeless(firstRunMs: number, bestMs: number | null, factor = 3): boolean {
  return bestMs !== null && firstRunMs > factor * bestMs;
}

/**
 * How long one timed sample must span, by timer: Chrome quantizes GPU timestamps to 100 µs, so a
 * 1 ms sample reads within 10%; a wall-clock sample includes a readback (about a millisecond on a
 * GPU), so it spans 5 ms.
 */
export const MIN_SAMPLE_MS = { gpu: 1, wall: 5 } as const;
/** The most runs one sample repeats: a kernel faster than span ÷ this reads as "under a tick". */
export const MAX_RUNS_PER_SAMPLE = 256;

/** Runs per sample for a kernel estimated at `msPerRun`, so that a sample spans `spanMs`. */
export function runsPerSample(msPerRun: number, spanMs: number): number {
  if (!(msPerRun > 0)) return MAX_RUNS_PER_SAMPLE;
  return Math.min(MAX_RUNS_PER_SAMPLE, Math.max(1, Math.ceil(spanMs / msPerRun)));
}

/** A cached choice: the winner and the figures it won with. */
export interface CachedChoice {
  chosen: string;
  timings: CandidateTiming[];
}

export type TuningEntries = Record<string, CachedChoice>;

const timingSchema = z.object({
  id: z.string(),
  family: z.enum(CONV_FAMILIES),
  ms: z.number().nullable(),
  runs: z.number().optional(),
  verdict: z.enum(CANDIDATE_VERDICTS).optional(),
  detail: z.string().optional(),
});
const choiceSchema = z.object({ chosen: z.string(), timings: z.array(timingSchema) });
const cacheSchema = z.object({
  version: z.number(),
  adapters: z.record(z.string(), z.record(z.string(), choiceSchema)),
});

/** The cache as stored: one table of choices per adapter. */
export interface TuningCacheData {
  version: number;
  adapters: Record<string, TuningEntries>;
}

export function emptyCache(): TuningCacheData {
  return { version: TUNING_CACHE_VERSION, adapters: {} };
}

export interface ParsedCache {
  data: TuningCacheData;
  /** Why (part of) the stored cache was ignored, for the user; null when all of it was usable. */
  notice: string | null;
}

/**
 * Reads a stored cache (parsed JSON, or a string to parse). Anything corrupt or from another
 * version is dropped with a notice, never thrown: a bad cache only costs a new tuning. Entries
 * naming a kernel that no longer exists (`knownIds`) are dropped too.
 */
export function parseTuningCache(stored: unknown, knownIds: ReadonlySet<string>): ParsedCache {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored) as unknown;
    } catch {
      return { data: emptyCache(), notice: 'The kernel tuning cache is not valid JSON: ignored.' };
    }
  }
  if (value === undefined || value === null) return { data: emptyCache(), notice: null };
  const parsed = cacheSchema.safeParse(value);
  if (!parsed.success) {
    return { data: emptyCache(), notice: 'The kernel tuning cache is corrupt: ignored.' };
  }
  if (parsed.data.version !== TUNING_CACHE_VERSION) {
    return {
      data: emptyCache(),
      notice: `The kernel tuning cache is from another engine version (${parsed.data.version}, now ${TUNING_CACHE_VERSION}): tuning again.`,
    };
  }
  let dropped = 0;
  const adapters: Record<string, TuningEntries> = {};
  for (const [adapter, entries] of Object.entries(parsed.data.adapters)) {
    const kept: TuningEntries = {};
    for (const [key, choice] of Object.entries(entries)) {
      if (!knownIds.has(choice.chosen)) {
        dropped++;
        continue;
      }
      kept[key] = {
        chosen: choice.chosen,
        timings: choice.timings.map(({ verdict, detail, runs, ...t }) => ({
          ...t,
          ms: t.ms ?? Number.NaN,
          ...(runs === undefined ? {} : { runs }),
          ...(verdict === undefined ? {} : { verdict }),
          ...(detail === undefined ? {} : { detail }),
        })),
      };
    }
    adapters[adapter] = kept;
  }
  const notice =
    dropped > 0
      ? `${dropped} cached kernel choice${dropped === 1 ? '' : 's'} named unknown kernels: tuning those again.`
      : null;
  return { data: { version: TUNING_CACHE_VERSION, adapters }, notice };
}

/** JSON-safe: NaN times are stored as null. */
export function serializeTuningCache(data: TuningCacheData): string {
  return JSON.stringify(data, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

/** `data` with `entries` merged into the adapter's table (newer choices win). */
export function mergeEntries(
  data: TuningCacheData,
  adapter: string,
  entries: TuningEntries,
): TuningCacheData {
  return {
    version: TUNING_CACHE_VERSION,
    adapters: { ...data.adapters, [adapter]: { ...(data.adapters[adapter] ?? {}), ...entries } },
  };
}

/** GFLOP/s of a convolution op (each op costs the forward's multiply-adds, 2 FLOPs each). */
export function convGflops(s: ConvShape, ms: number): number {
  const outH = Math.floor((s.inHeight + 2 * s.pad - s.kernelHeight) / s.stride) + 1;
  const outW = Math.floor((s.inWidth + 2 * s.pad - s.kernelWidth) / s.stride) + 1;
  const macs =
    s.batch * outH * outW * s.outChannels * s.kernelHeight * s.kernelWidth * s.inChannels;
  return ms > 0 ? (2 * macs) / (ms / 1000) / 1e9 : Number.NaN;
}

/** A candidate the tuner excluded for one (op, shape), with the verdict against it. */
export interface ExcludedCandidate {
  id: string;
  verdict: CandidateVerdict;
  detail?: string;
  /** The op and shape it was excluded for, e.g. "forward 3×3/1 p1, 16→16 @32×32, batch 128". */
  where: string;
}

const VERDICT_TEXT: Record<CandidateVerdict, string> = {
  compile: 'does not compile on this GPU',
  wrong: 'gives wrong results on this GPU',
  'gpu-error': 'raised a GPU error on this GPU',
  failed: 'failed on this GPU',
};

/**
 * One notice per excluded kernel and verdict, for the user: "tiled-128x128 gives wrong results on
 * this GPU (forward 3×3/1 …, and 2 more shapes: 5 of 32 sampled outputs off); not used there."
 * `remembered`: the verdicts come from the tuning cache, not from this tuning.
 */
export function exclusionNotices(
  excluded: readonly ExcludedCandidate[],
  remembered = false,
): string[] {
  const groups = new Map<string, ExcludedCandidate[]>();
  for (const e of excluded) {
    const key = `${e.id}\u0000${e.verdict}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const more = group.length > 1 ? `, and ${group.length - 1} more` : '';
    const detail = first.detail ? `: ${first.detail}` : '';
    const source = remembered ? ' (found by an earlier tuning, kept in the tuning cache)' : '';
    return `${first.id} ${VERDICT_TEXT[first.verdict]} (${first.where}${more}${detail}); not used there${source}.`;
  });
}
