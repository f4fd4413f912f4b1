import * as tf from '@tensorflow/tfjs-core';
import {
  adapterKey,
  CONV_OPS,
  convGflops,
  convShapeKey,
  emptyCache,
  exclusionNotices,
  fastest,
  hopeless,
  MAX_RUNS_PER_SAMPLE,
  mergeEntries,
  MIN_SAMPLE_MS,
  parseTuningCache,
  runsPerSample,
  serializeTuningCache,
  type AdapterIdentity,
  type CandidateTiming,
  type CandidateVerdict,
  type ConvOp,
  type ExcludedCandidate,
  type ParsedCache,
  type TuningEntries,
} from '../../tuning-plan/plan';
import {
  F16_TOLERANCE,
  F32_TOLERANCE,
  f16Operand,
  mismatchOf,
  outputSize,
  sampledConvReference,
  sampleIndices,
  uniformOperand,
  type SampledReference,
} from '../../tuning-plan/verify';
import { tuningOperand } from './operands';
import { convLayerInputs, type ResNetSpec } from '../../architecture';
import { errorMessage } from '../../errors';
import { withErrorScopes } from '../faults/gpu-errors';
import type { HeavyOps } from '../heavy-ops';
import type { ConvGeometry } from '../kernels/conv-geometry';
import { CONV_KERNEL_IDS, convCandidates, type ConvKernel } from '../kernels/conv-registry';
import { F32, type NumberFormat } from '../../config/number-format';
import {
  backendDevice,
  compilePipelinesAhead,
  deviceHasTimestamps,
  gpuTimeMs,
  type ShaderSource,
} from '../kernels/dispatch';
import { unpackChannels } from '../packed/pack';
import { convGeometries } from '../precompile';

/**
 * The convolution autotuner (cuDNN's benchmark mode, for our kernels): for each distinct
 * (op, shape, number format) of the network about to train, every kernel that can run it on this
 * device is compiled, checked against a CPU reference, and timed; the fastest correct one is kept
 * in the ops' kernel choice. Choices, and the kernels found wrong, are cached per adapter.
 *
 * How a candidate is timed, so that the choice is not noise:
 * - every candidate of a shape is compiled (ours ahead, in parallel; tfjs's by the check run),
 *   checked, and, where its check run was shorter than a sample, run again untimed in a burst as
 *   long as one (clocks ramp up), before any is timed;
 * - a sample repeats the candidate's dispatches until it spans MIN_SAMPLE_MS (GPU timestamps are
 *   quantized to 100 µs in Chrome); a sample that still reads zero at MAX_RUNS_PER_SAMPLE runs is
 *   "under one tick", never "fastest";
 * - candidates are timed round by round, interleaved, and each keeps the fastest of its samples;
 * - GPU timestamps where the device has them, else wall clock to a readback, by the same rules.
 */

/** Where choices persist: IndexedDB in the page, a JSON file for the CLI. */
export interface TuningCacheStore {
  /** The stored value (JSON text or parsed); undefined when nothing is stored. */
  load(): Promise<unknown>;
  save(json: string): Promise<void>;
}

export interface TuneOptions {
  spec: ResNetSpec;
  input: number;
  batch: number;
  /** The ops whose kernel choice receives the result (only 'auto' is tuned). */
  ops: HeavyOps;
  adapter: AdapterIdentity;
  cache?: TuningCacheStore | null;
  /** Time every candidate even where the cache has a choice (the benchmark does). */
  ignoreCache?: boolean;
  /** Timing rounds per candidate, whose fastest sample counts (default 3). */
  samples?: number;
  /**
   * Time every candidate to the end instead of dropping those that cannot win (tests that check
   * a candidate's own figures; a run wants the early cut, which saves most of the tuning time).
   */
  timeEveryCandidate?: boolean;
  onProgress?: (done: number, total: number, stage: 'compiling' | 'timing') => void;
  signal?: AbortSignal;
}

/** One tuned (op, shape): for the benchmark panel and `npm run bench`, like cuDNN's find results. */
export interface TunedConv {
  op: ConvOp;
  key: string;
  /** e.g. "3×3/1 p1, 16→16 @32×32, batch 128". */
  shape: string;
  geometry: ConvGeometry;
  /** The conv layers of the network with this shape. */
  layers: string[];
  candidates: (CandidateTiming & { gflops: number })[];
  chosen: string;
  /** The choice came from the cache (candidates are the cached figures). */
  cached: boolean;
}

export interface TuneResult {
  convs: TunedConv[];
  /**
   * For the user: a problem with the cache, and each kernel excluded on this GPU (it did not
   * compile, gave wrong results or raised a GPU error), once per kernel and reason.
   */
  notices: string[];
  /** How the candidates were timed ('none': nothing was, all came from the cache or a forced family). */
  timer: 'gpu timestamps' | 'wall clock' | 'none';
}

export function shapeLabel(g: ConvGeometry): string {
  return (
    `${g.kernelHeight}×${g.kernelWidth}/${g.stride} p${g.pad}, ${g.inChannels}→${g.outChannels}` +
    ` @${g.inHeight}×${g.inWidth}, batch ${g.batch}`
  );
}

interface Job {
  op: ConvOp;
  key: string;
  g: ConvGeometry;
  layers: string[];
}

/** The distinct (op, shape) pairs of the network, each with the layers that share it. */
function jobsOf(options: TuneOptions): Job[] {
  const { spec, input, batch, ops } = options;
  const names = convLayerInputs(spec, input).map(({ conv }) => conv.name);
  const jobs = new Map<string, Job>();
  convGeometries(spec, input, batch, ops.format.storage).forEach((g, i) => {
    for (const op of CONV_OPS) {
      const key = convShapeKey(op, g, ops.format);
      const job = jobs.get(key) ?? { op, key, g, layers: [] };
      job.layers.push(names[i]!);
      jobs.set(key, job);
    }
  });
  return [...jobs.values()];
}

const where = (job: Job) => `${job.op} ${shapeLabel(job.g)}`;

interface Operands {
  tensors: { x: tf.Tensor4D; w: tf.Tensor4D; dy: tf.Tensor4D };
  reference: SampledReference;
}

/**
 * The op's operands, made on the GPU from a hash of each element's index (./operands.ts): uniform
 * in [−1, 1) for f32 storage, exact f16 values packed in pairs under f16 storage. With
 * the float64 reference of the op at a few sampled outputs, which reads the same hash.
 */
function operandsOf(job: Job, p: NumberFormat): Operands {
  const g = job.g;
  const packed = p.storage === 'f16';
  const seeds = { x: 1, w: 3, dy: 2 };
  const tensors = {
    x: tuningOperand([g.batch, g.inHeight, g.inWidth, g.inChannels], seeds.x, packed),
    w: tuningOperand([g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels], seeds.w, packed),
    dy: tuningOperand([g.batch, g.outHeight, g.outWidth, g.outChannels], seeds.dy, packed),
  };
  const value = packed ? f16Operand : uniformOperand;
  const operands = { x: value(seeds.x), w: value(seeds.w), dy: value(seeds.dy) };
  const indices = sampleIndices(outputSize(job.op, g));
  return { tensors, reference: sampledConvReference(job.op, g, operands, indices) };
}

function runOp(kernel: ConvKernel, job: Job, p: NumberFormat, t: Operands['tensors']): tf.Tensor {
  const { g } = job;
  if (job.op === 'forward') return kernel.forward(t.x, t.w, g, p);
  if (job.op === 'inputGrad') return kernel.inputGrad(t.dy, t.w, g, p);
  return kernel.filterGrad(t.x, t.dy, g, p);
}

/** The op's output at the reference's sampled positions, as f32 values (packed: unpacked). */
async function sampledOutput(
  out: tf.Tensor,
  job: Job,
  p: NumberFormat,
  indices: readonly number[],
): Promise<Float32Array> {
  const picked = tf.tidy(() => {
    const channels = job.op === 'forward' ? job.g.outChannels : job.g.inChannels;
    const packed = p.storage === 'f16' && job.op !== 'filterGrad';
    const values = packed ? unpackChannels(out, channels) : out;
    return tf.gather(tf.reshape(values, [-1]), tf.tensor1d([...indices], 'int32'));
  });
  try {
    return (await picked.data()) as Float32Array;
  } finally {
    picked.dispose();
  }
}

/** A candidate's check: why it may not be chosen, or the wall-clock ms its run took. */
type Checked = { verdict: CandidateVerdict; detail: string } | { ms: number };

/**
 * Runs the candidate once inside GPU error scopes and compares its sampled outputs with the CPU
 * reference. The first run also builds whatever is still lazy (tfjs compiles its pipelines then).
 */
async function check(
  kernel: ConvKernel,
  job: Job,
  p: NumberFormat,
  operands: Operands,
): Promise<Checked> {
  const start = performance.now();
  try {
    const { result, fault } = await withErrorScopes(async () => {
      const out = runOp(kernel, job, p, operands.tensors);
      try {
        return await sampledOutput(out, job, p, operands.reference.indices);
      } finally {
        out.dispose();
      }
    });
    const ms = performance.now() - start;
    if (fault) return { verdict: 'gpu-error', detail: `${fault.kind}: ${fault.message}` };
    const tolerance = p === F32 ? F32_TOLERANCE : F16_TOLERANCE;
    const bad = mismatchOf(result, operands.reference, tolerance);
    if (!bad) return { ms };
    const detail = `${bad.bad} of ${bad.samples} sampled outputs off the CPU reference`;
    return { verdict: 'wrong', detail };
  } catch (error) {
    return { verdict: 'failed', detail: errorMessage(error) };
  }
}

/** How many samples each timer took, for the report. */
interface TimerCounts {
  gpu: number;
  wall: number;
}

/**
 * ms per run of `runs` runs of `run`: GPU timestamps where the device has them (0: under one
 * tick), else wall clock to a readback.
 */
async function sample(
  run: () => tf.Tensor,
  runs: number,
  useGpu: boolean,
  counts: TimerCounts,
): Promise<number> {
  const outputs: tf.Tensor[] = [];
  try {
    if (useGpu) {
      const ms = await gpuTimeMs(() => {
        for (let r = 0; r < runs; r++) outputs.push(run());
      });
      if (ms !== null) {
        counts.gpu++;
        return ms / runs;
      }
      tf.dispose(outputs.splice(0));
    }
    counts.wall++;
    const start = performance.now();
    for (let r = 0; r < runs; r++) outputs.push(run());
    // A CPU–GPU sync point: the queued runs are done when the last output is read.
    await outputs[outputs.length - 1]!.data();
    return (performance.now() - start) / runs;
  } finally {
    tf.dispose(outputs);
  }
}

/** A candidate being timed. */
interface Contender {
  kernel: ConvKernel;
  run: () => tf.Tensor;
  /** Runs per sample: enough to span MIN_SAMPLE_MS. */
  runs: number;
  /** The fastest sample so far (ms per run); NaN before the first. */
  best: number;
  /** Runs per sample of the fastest sample. */
  bestRuns: number;
  verdict?: CandidateVerdict;
  detail?: string;
}

/**
 * One sample that spans the timer's minimum: more runs while it is shorter. Zero means that even
 * MAX_RUNS_PER_SAMPLE runs read under one tick. Inside error scopes: a GPU error excludes it.
 */
async function measure(c: Contender, useGpu: boolean, counts: TimerCounts): Promise<number> {
  const span = useGpu ? MIN_SAMPLE_MS.gpu : MIN_SAMPLE_MS.wall;
  for (;;) {
    const { result: ms, fault } = await withErrorScopes(() =>
      sample(c.run, c.runs, useGpu, counts),
    );
    if (fault) {
      c.verdict = 'gpu-error';
      c.detail = `${fault.kind}: ${fault.message}`;
      return Number.NaN;
    }
    if (ms * c.runs >= span || c.runs >= MAX_RUNS_PER_SAMPLE) return ms;
    c.runs = Math.max(2 * c.runs, ms > 0 ? runsPerSample(ms, span) : 4 * c.runs);
    c.runs = Math.min(c.runs, MAX_RUNS_PER_SAMPLE);
  }
}

/** A candidate whose untimed estimate is this many times the best one is not timed at all. */
const WARM_FACTOR = 5;
/**
 * A run this slow (ms) is timed in two rounds. On a CPU driver a ResNet layer takes tens to
 * hundreds of ms per run, and three rounds of every candidate of every layer took minutes.
 */
const SLOW_RUN_MS = 30;

/** Checks, then times, every candidate of `job`; compile failures come in as verdicts. */
async function timeCandidates(
  job: Job,
  options: TuneOptions,
  compileFailures: ReadonlyMap<string, string>,
  useGpu: boolean,
  counts: TimerCounts,
): Promise<CandidateTiming[]> {
  const p = options.ops.format;
  const operands = operandsOf(job, p);
  const contenders: Contender[] = [];
  /** The wall-clock ms of each passed check. */
  const checkMs = new Map<Contender, number>();
  try {
    for (const kernel of convCandidates(job.op, job.g, p, backendDevice().limits)) {
      options.signal?.throwIfAborted();
      const run = () => runOp(kernel, job, p, operands.tensors);
      const c: Contender = { kernel, run, runs: 1, best: Number.NaN, bestRuns: 0 };
      contenders.push(c);
      const failed = compileFailures.get(kernel.id);
      if (failed !== undefined) {
        c.verdict = 'compile';
        c.detail = failed;
        continue;
      }
      const checked = await check(kernel, job, p, operands);
      if ('verdict' in checked) {
        c.verdict = checked.verdict;
        c.detail = checked.detail;
      } else checkMs.set(c, checked.ms);
    }
    // Untimed, now that everything is compiled: the estimate the samples are sized by (wall
    // clock with a readback: an overestimate on a GPU). The check's run is it for our kernels,
    // compiled ahead; tfjs compiled during its check, so it runs once more. Where that is under
    // a sample's span, a burst of runs that long ramps the GPU's clocks up and estimates again.
    const estimates = new Map<Contender, number>();
    const span = useGpu ? MIN_SAMPLE_MS.gpu : MIN_SAMPLE_MS.wall;
    for (const [c, checkedMs] of checkMs) {
      options.signal?.throwIfAborted();
      const { result: ms, fault } = await withErrorScopes(async () => {
        const lazy = c.kernel.family === 'tfjs';
        const once = lazy ? await sample(c.run, 1, false, { gpu: 0, wall: 0 }) : checkedMs;
        if (once >= span) return once;
        return sample(c.run, runsPerSample(once, span), false, { gpu: 0, wall: 0 });
      });
      if (fault) {
        c.verdict = 'gpu-error';
        c.detail = `${fault.kind}: ${fault.message}`;
      } else estimates.set(c, ms);
    }
    const bestEstimate = Math.min(...estimates.values());
    // Far slower even by wall clock: not worth timing (a CPU driver's slow candidates took
    // seconds each, and most of the tuning time).
    const cut = !options.timeEveryCandidate;
    let live = [...estimates].filter(([, ms]) => !cut || !hopeless(ms, bestEstimate, WARM_FACTOR));
    for (const [c, ms] of live) c.runs = runsPerSample(ms, span);
    const slow = bestEstimate > SLOW_RUN_MS;
    const rounds = slow ? Math.min(2, options.samples ?? 3) : (options.samples ?? 3);
    for (let round = 0; round < rounds; round++) {
      // Interleaved: every candidate once per round, so that a clock ramping up or a busy
      // moment of the machine falls on all of them alike.
      for (const [c] of live) {
        options.signal?.throwIfAborted();
        const ms = await measure(c, useGpu, counts);
        if (ms > 0 && !(ms >= c.best)) {
          c.best = ms;
          c.bestRuns = c.runs;
        }
      }
      live = live.filter(([c]) => c.verdict === undefined);
      // A candidate 3× slower than the best after the first round cannot win.
      if (round === 0 && cut) {
        const best = fastest(live.map(([c]) => timingOf(c)))?.ms ?? null;
        live = live.filter(([c]) => !hopeless(c.best, best));
      }
    }
  } finally {
    tf.dispose([operands.tensors.x, operands.tensors.w, operands.tensors.dy]);
  }
  return contenders.map(timingOf);
}

function timingOf(c: Contender): CandidateTiming {
  if (c.verdict !== undefined) {
    const { id, family } = c.kernel;
    return { id, family, ms: Number.NaN, verdict: c.verdict, detail: c.detail ?? '' };
  }
  const runs = Number.isNaN(c.best) ? {} : { runs: c.bestRuns };
  return { id: c.kernel.id, family: c.kernel.family, ms: c.best, ...runs };
}

function toTuned(job: Job, timings: CandidateTiming[], chosen: string, cached: boolean): TunedConv {
  return {
    op: job.op,
    key: job.key,
    shape: shapeLabel(job.g),
    geometry: job.g,
    layers: job.layers,
    candidates: timings.map((t) => ({ ...t, gflops: convGflops(job.g, t.ms) })),
    chosen,
    cached,
  };
}

function excludedOf(job: Job, timings: readonly CandidateTiming[]): ExcludedCandidate[] {
  return timings.flatMap((t) =>
    t.verdict === undefined
      ? []
      : [
          {
            id: t.id,
            verdict: t.verdict,
            where: where(job),
            ...(t.detail ? { detail: t.detail } : {}),
          },
        ],
  );
}

/**
 * The kernel for a job: the fastest correct one; when none could be timed (every one under a
 * tick, say), the first the check did not exclude. Throws when every candidate was excluded.
 */
function choose(job: Job, timings: readonly CandidateTiming[]): string {
  if (timings.length === 0) {
    throw new Error(`No convolution kernel fits this GPU's limits for ${where(job)}`);
  }
  const best = fastest(timings) ?? timings.find((t) => t.verdict === undefined);
  if (!best) {
    const why = timings.map((t) => `${t.id}: ${t.verdict} (${t.detail ?? ''})`).join('; ');
    throw new Error(`No convolution kernel works on this GPU for ${where(job)}: ${why}`);
  }
  return best.id;
}

/**
 * Every candidate's pipelines of the jobs to time, compiled in parallel before any timing; a
 * candidate whose pipeline the compiler rejects is dropped for that job (kernel id → message).
 */
async function compileCandidates(
  jobs: readonly Job[],
  options: TuneOptions,
): Promise<Map<string, Map<string, string>>> {
  const p = options.ops.format;
  const owners = new Map<ShaderSource, { job: Job; id: string }[]>();
  const limits = backendDevice().limits;
  const shaders = jobs.flatMap((job) =>
    convCandidates(job.op, job.g, p, limits).flatMap((k) =>
      k.shaders(job.op, job.g, p).map((s) => {
        owners.set(s, [...(owners.get(s) ?? []), { job, id: k.id }]);
        return s;
      }),
    ),
  );
  const failures = await compilePipelinesAhead(shaders, (done, total) =>
    options.onProgress?.(done, total, 'compiling'),
  );
  const byJob = new Map<string, Map<string, string>>();
  for (const { source, message } of failures) {
    for (const { job, id } of owners.get(source) ?? []) {
      const failed = byJob.get(job.key) ?? new Map<string, string>();
      failed.set(id, message);
      byJob.set(job.key, failed);
    }
  }
  return byJob;
}

/**
 * Tunes the convolutions of `options.spec` at this input size and batch and installs the winners
 * in `options.ops.kernels.tuned`. Under a forced family (or stock ops) nothing is timed and the
 * result lists the kernels that will run.
 */
export async function tuneConvolutions(options: TuneOptions): Promise<TuneResult> {
  const { ops } = options;
  const choice = ops.kernels;
  const jobs = jobsOf(options);
  if (!choice || choice.setting !== 'auto' || tf.getBackend() !== 'webgpu') {
    const convs = jobs.map((job) => {
      const id = choice?.choose(job.op, job.g).id ?? 'tfjs';
      return toTuned(job, [], id, false);
    });
    return { convs, notices: [], timer: 'none' };
  }
  const adapter = adapterKey(options.adapter);
  const stored = await loadCache(options.cache);
  const known = options.ignoreCache ? {} : (stored.data.adapters[adapter] ?? {});
  const toTime = jobs.filter((job) => !known[job.key]);
  const compileFailures = await compileCandidates(toTime, options);

  const useGpu = deviceHasTimestamps();
  const counts: TimerCounts = { gpu: 0, wall: 0 };
  const fresh: TuningEntries = {};
  const convs: TunedConv[] = [];
  const excluded: ExcludedCandidate[] = [];
  const remembered: ExcludedCandidate[] = [];
  let done = 0;
  options.onProgress?.(0, toTime.length, 'timing');
  for (const job of jobs) {
    const cached = known[job.key];
    if (cached) {
      choice.tuned.set(job.key, cached.chosen);
      convs.push(toTuned(job, cached.timings, cached.chosen, true));
      remembered.push(...excludedOf(job, cached.timings));
      continue;
    }
    const failures = compileFailures.get(job.key) ?? new Map<string, string>();
    const timings = await timeCandidates(job, options, failures, useGpu, counts);
    const chosen = choose(job, timings);
    choice.tuned.set(job.key, chosen);
    fresh[job.key] = { chosen, timings };
    excluded.push(...excludedOf(job, timings));
    convs.push(toTuned(job, timings, chosen, false));
    options.onProgress?.(++done, toTime.length, 'timing');
  }
  const notices = stored.notice ? [stored.notice] : [];
  notices.push(...exclusionNotices(excluded), ...exclusionNotices(remembered, true));
  if (options.cache && Object.keys(fresh).length > 0) {
    try {
      await options.cache.save(serializeTuningCache(mergeEntries(stored.data, adapter, fresh)));
    } catch (error) {
      notices.push(
        `Kernel choices could not be saved (${errorMessage(error)}): the next run tunes again.`,
      );
    }
  }
  const timer = counts.gpu > 0 ? 'gpu timestamps' : counts.wall > 0 ? 'wall clock' : 'none';
  return { convs, notices, timer };
}

async function loadCache(cache: TuningCacheStore | null | undefined): Promise<ParsedCache> {
  let value: unknown;
  try {
    value = await cache?.load();
  } catch (error) {
    return {
      data: emptyCache(),
      notice: `The kernel tuning cache could not be read (${errorMessage(error)}): tuning again.`,
    };
  }
  return parseTuningCache(value, CONV_KERNEL_IDS);
}
