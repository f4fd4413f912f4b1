import * as tf from '@tensorflow/tfjs';
import {
  adapterKey,
  CONV_OPS,
  convGflops,
  convShapeKey,
  fastest,
  hopeless,
  medianOf,
  mergeEntries,
  emptyCache,
  parseTuningCache,
  type ParsedCache,
  serializeTuningCache,
  type AdapterIdentity,
  type CandidateTiming,
  type ConvOp,
  type TuningEntries,
} from '../../autotune/plan';
import { convLayerInputs, type ResNetSpec } from '../../architecture';
import { createRng } from '../../tricks';
import type { HeavyOps } from '../heavy-ops';
import type { ConvGeometry } from '../kernels/conv-geometry';
import { CONV_KERNEL_IDS, convCandidates, type ConvKernel } from '../kernels/conv-registry';
import { isPackedPrecision, storedShape, type ConvPrecision } from '../kernels/direct-conv';
import { compilePipelinesAhead, deviceHasTimestamps, gpuTimeMs } from '../kernels/dispatch';
import { convGeometries } from '../precompile';

/**
 * The convolution autotuner (cuDNN's benchmark mode, for our kernels): for each distinct
 * (op, shape, precision) of the network about to train, time every kernel that can run it on
 * this device and keep the fastest in the ops' kernel choice. Choices are cached per adapter.
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
  /** Timed runs per candidate, whose median counts (default 3). */
  samples?: number;
  onProgress?: (done: number, total: number, stage: 'compiling' | 'timing') => void;
  signal?: AbortSignal;
}

/** One tuned (op, shape): for the benchmark panel and `npm run bench`, like cuDNN's find results. */
export interface TunedConv {
  op: ConvOp;
  key: string;
  /** e.g. "3×3/1 p1, 16→16 @32×32, batch 128". */
  shape: string;
  /** The conv layers of the network with this shape. */
  layers: string[];
  candidates: (CandidateTiming & { gflops: number })[];
  chosen: string;
  /** The choice came from the cache (candidates are the cached figures). */
  cached: boolean;
}

export interface TuneResult {
  convs: TunedConv[];
  /** A problem with the cache, for the user; null when none. */
  notice: string | null;
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
  convGeometries(spec, input, batch, ops.storage).forEach((g, i) => {
    for (const op of CONV_OPS) {
      const key = convShapeKey(op, g, ops.precision);
      const job = jobs.get(key) ?? { op, key, g, layers: [] };
      job.layers.push(names[i]!);
      jobs.set(key, job);
    }
  });
  return [...jobs.values()];
}

type Shape4 = [number, number, number, number];

/**
 * `shape` (a packed shape: words on the last axis) filled with pairs of random f16 values of
 * magnitude in [2^-4, 1), built as bits on the CPU: an f16 exponent of at most 15 in the high half
 * keeps every word a finite f32, so no NaN pattern passes through tfjs's upload.
 */
function randomPacked(shape: Shape4, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const half = () => (rng.int(2) << 15) | ((11 + rng.int(4)) << 10) | rng.int(1024);
  const words = Uint32Array.from({ length: shape.reduce((a, b) => a * b) }, () => {
    return (half() | (half() << 16)) >>> 0;
  });
  return tf.tensor4d(new Float32Array(words.buffer), shape);
}

/** Random operands of an op (inputs only; the output is the kernel's), packed where `p` is. */
function operands(
  g: ConvGeometry,
  p: ConvPrecision,
): { x: tf.Tensor4D; w: tf.Tensor4D; dy: tf.Tensor4D } {
  if (isPackedPrecision(p)) {
    const xShape: Shape4 = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    const wShape: Shape4 = [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels];
    const dyShape: Shape4 = [g.batch, g.outHeight, g.outWidth, g.outChannels];
    return {
      x: randomPacked(storedShape(xShape, p), 1),
      w: randomPacked(storedShape(wShape, p), 3),
      dy: randomPacked(storedShape(dyShape, p), 2),
    };
  }
  return {
    x: tf.randomNormal([g.batch, g.inHeight, g.inWidth, g.inChannels], 0, 1, 'float32', 1),
    w: tf.randomNormal([g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels], 0, 0.1),
    dy: tf.randomNormal([g.batch, g.outHeight, g.outWidth, g.outChannels], 0, 1, 'float32', 2),
  };
}

function runOp(
  kernel: ConvKernel,
  op: ConvOp,
  g: ConvGeometry,
  ops: HeavyOps,
  t: ReturnType<typeof operands>,
): tf.Tensor {
  if (op === 'forward') return kernel.forward(t.x, t.w, g, ops.precision);
  if (op === 'inputGrad') return kernel.inputGrad(t.dy, t.w, g, ops.precision);
  return kernel.filterGrad(t.x, t.dy, g, ops.precision);
}

/** Runs per timing: enough to spread a readback's latency (wall clock) or a timestamp's tick. */
const RUNS_PER_SAMPLE = 3;
/**
 * A run this slow (ms, from the untimed first run) needs neither: one run per timing, and two
 * timings. On a CPU driver a ResNet layer takes tens to hundreds of ms per run, and timing every
 * candidate of every layer three times three times took minutes.
 */
const SLOW_RUN_MS = 30;

/** How many samples each timer took, for the report. */
interface TimerCounts {
  gpu: number;
  wall: number;
}

/** ms per run of `run`: GPU timestamps where the device has them, else wall clock to a readback. */
async function timeRuns(
  run: () => tf.Tensor,
  useGpu: boolean,
  counts: TimerCounts,
  runs = RUNS_PER_SAMPLE,
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

/** A first run this many times the fastest first run is not timed at all. */
const WARM_FACTOR = 5;

/**
 * The median of `samples` timings of `run` (2 of 1 run each where a run takes over SLOW_RUN_MS),
 * with the timer the best so far was taken with; a candidate that cannot win keeps its one timing.
 */
async function timed(
  run: () => tf.Tensor,
  warm: number,
  useGpu: boolean,
  counts: TimerCounts,
  samples: number,
  timings: readonly CandidateTiming[],
): Promise<number> {
  const slow = warm > SLOW_RUN_MS;
  const runs = slow ? 1 : RUNS_PER_SAMPLE;
  const wanted = slow ? Math.min(2, samples) : samples;
  const times = [await timeRuns(run, useGpu, counts, runs)];
  if (!hopeless(times[0]!, fastest(timings)?.ms ?? null)) {
    while (times.length < wanted) times.push(await timeRuns(run, useGpu, counts, runs));
  }
  return medianOf(times);
}

async function timeCandidates(
  job: Job,
  options: TuneOptions,
  useGpu: boolean,
  counts: TimerCounts,
): Promise<CandidateTiming[]> {
  const samples = options.samples ?? 3;
  const t = operands(job.g, options.ops.precision);
  const timings: CandidateTiming[] = [];
  /** The fastest untimed first run so far (wall clock, readback and any lazy compile included). */
  let bestWarm = Number.POSITIVE_INFINITY;
  try {
    for (const kernel of convCandidates(job.op, job.g, options.ops.precision)) {
      options.signal?.throwIfAborted();
      const run = () => runOp(kernel, job.op, job.g, options.ops, t);
      let ms = Number.NaN;
      try {
        // The first run builds whatever is still lazy (tfjs's pipelines) and is not counted.
        const warm = await timeRuns(run, false, { gpu: 0, wall: 0 }, 1);
        bestWarm = Math.min(bestWarm, warm);
        // Far slower even by wall clock: not worth timing (a CPU driver's slow candidates took
        // seconds each, and most of the tuning time).
        if (!hopeless(warm, bestWarm, WARM_FACTOR))
          ms = await timed(run, warm, useGpu, counts, samples, timings);
      } catch (error) {
        // A kernel that cannot run here (a limit of this adapter) is simply not chosen.
        console.warn(`kernel ${kernel.id} failed on ${job.key}:`, error);
      }
      timings.push({ id: kernel.id, family: kernel.family, ms });
    }
  } finally {
    tf.dispose([t.x, t.w, t.dy]);
  }
  return timings;
}

function toTuned(job: Job, timings: CandidateTiming[], chosen: string, cached: boolean): TunedConv {
  return {
    op: job.op,
    key: job.key,
    shape: shapeLabel(job.g),
    layers: job.layers,
    candidates: timings.map((t) => ({ ...t, gflops: convGflops(job.g, t.ms) })),
    chosen,
    cached,
  };
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
    return { convs, notice: null, timer: 'none' };
  }
  const adapter = adapterKey(options.adapter);
  const stored = await loadCache(options.cache);
  const known = options.ignoreCache ? {} : (stored.data.adapters[adapter] ?? {});
  const toTime = jobs.filter((job) => !known[job.key]);

  // Every candidate's pipelines compile in parallel before any timing.
  const shaders = toTime.flatMap((job) =>
    convCandidates(job.op, job.g, ops.precision).flatMap((k) =>
      k.shaders(job.op, job.g, ops.precision),
    ),
  );
  await compilePipelinesAhead(shaders, (done, total) =>
    options.onProgress?.(done, total, 'compiling'),
  );

  const useGpu = deviceHasTimestamps();
  const counts: TimerCounts = { gpu: 0, wall: 0 };
  const fresh: TuningEntries = {};
  const convs: TunedConv[] = [];
  let done = 0;
  options.onProgress?.(0, toTime.length, 'timing');
  for (const job of jobs) {
    const cached = known[job.key];
    if (cached) {
      choice.tuned.set(job.key, cached.chosen);
      convs.push(toTuned(job, cached.timings, cached.chosen, true));
      continue;
    }
    const timings = await timeCandidates(job, options, useGpu, counts);
    const best = fastest(timings);
    const chosen = best?.id ?? choice.choose(job.op, job.g).id;
    choice.tuned.set(job.key, chosen);
    if (best) fresh[job.key] = { chosen, timings };
    convs.push(toTuned(job, timings, chosen, false));
    options.onProgress?.(++done, toTime.length, 'timing');
  }
  let notice = stored.notice;
  if (options.cache && Object.keys(fresh).length > 0) {
    try {
      await options.cache.save(serializeTuningCache(mergeEntries(stored.data, adapter, fresh)));
    } catch (error) {
      notice = `Kernel choices could not be saved (${String(error)}): the next run tunes again.`;
    }
  }
  const timer = counts.gpu > 0 ? 'gpu timestamps' : counts.wall > 0 ? 'wall clock' : 'none';
  return { convs, notice, timer };
}

async function loadCache(cache: TuningCacheStore | null | undefined): Promise<ParsedCache> {
  let value: unknown;
  try {
    value = await cache?.load();
  } catch (error) {
    return {
      data: emptyCache(),
      notice: `The kernel tuning cache could not be read (${String(error)}): tuning again.`,
    };
  }
  return parseTuningCache(value, CONV_KERNEL_IDS);
}
