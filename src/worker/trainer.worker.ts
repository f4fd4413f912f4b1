// Every op's gradient (tfjs-core registers none; the @tensorflow/tfjs umbrella package did). Node
// and Deno get them from engine/backend-node.ts.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as Comlink from 'comlink';
import { resnetOptionsFromConfig, trainingMemoryOf } from '../architecture';
import type { ExperimentConfig } from '../config';
import { LoadCancelled } from '../data/files';
import { errorMessage } from '../errors';
import { initBackend, recreateWebGPUBackend, webgpuDevice } from '../engine/backend';
import { indexedDbTuningCache } from './tuning-cache';
import { formatFailpoints, parseFailpoints } from '../config/failpoints';
import { setFailpoints } from '../engine/faults/failpoints';
import { CONV_KERNEL_IDS } from '../engine/kernels/conv-registry';
import { compileAheadSettled } from '../engine/precompile';
import { augmentedPreview } from '../engine/preview';
import { createRecoveringTrainer } from '../engine/recovering-trainer';
import { evaluate } from '../engine/evaluate';
import { createModelWithWeights, readWeights, timmSample } from '../engine/timm-checkpoint';
import type { ResNetModel } from '../engine/model';
import type { TrainedModel, Trainer } from '../engine/trainer';
import { createRunControls, type RunControls } from '../run-control/controls';
import {
  createRaceTurns,
  raceSeat,
  type RaceSeat,
  type RaceTurns,
} from '../run-control/race-turns';
import { raceProblem } from '../architecture/race-memory';
import { checkpointWriter, storedCheckpoint } from './checkpoint-persistence';
import { runBenchmarkOnBackend } from './benchmark';
import { datasetForConfig, heldSummary, loadIntoWorker } from './datasets';
import type { TeacherInfo, TrainerWorkerApi } from './protocol';
import type {
  BackendInfo,
  EvalResult,
  EventSink,
  NamedWeight,
  RunPhase,
  TrainerEvent,
} from '../run/events';
import { curvesAfter, isTerminal, NO_CURVES, phaseAfter, type RunCurves } from './run-events';

/**
 * The training worker: one backend, one run at a time. Finished runs keep their weights here
 * so later runs can distill from them (paper §5.3).
 *
 * Reliability: it watches `device.lost`; a lost device is re-created and the run resumes from its
 * last checkpoint (createRecoveringTrainer). Every checkpoint of the running run is written to
 * IndexedDB, so that a run cut off by a reload can be resumed (`start(…, { resume: true })`).
 */

interface Teacher {
  model: TrainedModel;
  label: string;
  classes: number;
}

/** The backend as the page is told of it: with the failpoints in force, if any. */
function described(info: BackendInfo): BackendInfo {
  return state.failpointInfo ? { ...info, failpoints: state.failpointInfo } : info;
}

/**
 * The run in progress. Its controls exist from start() on, before its dataset and trainer: a
 * pause or stop that arrives while the run prepares is held there, and the trainer (and any
 * trainer re-created after a lost device) reads that same object.
 */
interface CurrentRun {
  /** One run, or the racers of a race (which share the controls). */
  runIds: string[];
  controls: RunControls;
  /** Once prepared; the device watcher interrupts them. */
  trainers: Trainer[];
  /** A race's turns; null for one run. */
  turns: RaceTurns | null;
  /** Each run's 'ended' event, sent once `current` is cleared (the page may then start another). */
  ended: (() => void)[];
}
/**
 * Everything the worker keeps between calls, in one place; only this module changes it.
 */
interface WorkerState {
  /** Where events go: the page's callback, set by init(). */
  sink: EventSink;
  /** The backend once asked for (a failed one is forgotten, so the next call retries). */
  backendReady: Promise<BackendInfo> | null;
  /** Finished and loaded runs whose weights can teach (paper §5.3), by run id. */
  teachers: Map<string, Teacher>;
  /** The dataset load in progress (aborted by cancelLoad); null when none. */
  loading: AbortController | null;
  /** Why the GPU device was lost; null while it works. */
  deviceLostReason: string | null;
  /** The failpoints the page asked for (testing only), reported with the backend. */
  failpointInfo: BackendInfo['failpoints'] | null;
  /** The run (or race) in progress; null when none. */
  current: CurrentRun | null;
  /** The re-creation after the latest device loss: a race's racers share it. */
  recreating: Promise<void> | null;
  /** The benchmark in progress (aborted by stopBenchmark); null when none runs. */
  benchmarking: AbortController | null;
}

const state: WorkerState = {
  sink: () => {},
  backendReady: null,
  teachers: new Map(),
  loading: null,
  deviceLostReason: null,
  failpointInfo: null,
  current: null,
  recreating: null,
  benchmarking: null,
};

function emit(event: TrainerEvent): void {
  try {
    // A Comlink proxy returns a promise; nothing to wait for.
    void Promise.resolve(state.sink(event)).catch(() => {});
  } catch {
    // The page went away; nothing to report to.
  }
}

const OUT_OF_MEMORY = /out of memory|\boom\b|allocat|exceeds the maximum|too large/i;

/** Out-of-memory errors get the pre-flight estimate and what to change. */
function describeFailure(message: string, config: ExperimentConfig): string {
  if (!OUT_OF_MEMORY.test(message)) return message;
  const memory = trainingMemoryOf(config);
  const need = memory
    ? ` This run needs about ${(memory.totalBytes / 2 ** 20).toFixed(0)} MB.`
    : '';
  return `The GPU ran out of memory: ${message}.${need} Try a smaller batch size, input size or width.`;
}

/** Notes a lost device; the run in progress ends its step and recovers. */
function watchDevice(): void {
  const device = webgpuDevice();
  if (!device) return;
  void device.lost.then((info) => {
    if (webgpuDevice() !== device) return; // replaced on purpose
    state.deviceLostReason = `${info.reason}${info.message ? `: ${info.message.replace(/\.$/, '')}` : ''}`;
    state.recreating = null;
    const current = state.current;
    if (current && current.trainers.length > 0) {
      for (const trainer of current.trainers) trainer.interrupt();
      // Racers waiting for their turn see the loss too.
      current.turns?.wakeAll();
    } else void recreateBackend().catch(() => {}); // idle: a working backend for the next run
  });
}

/** A new device and backend after a loss; the teachers' weights were on the old device. */
async function recreateBackend(): Promise<void> {
  for (const teacher of state.teachers.values()) {
    try {
      teacher.model.dispose();
    } catch {
      // Gone with the device.
    }
  }
  state.teachers.clear();
  const gpu = self.navigator.gpu;
  if (!gpu) throw new Error('navigator.gpu is missing');
  const ready = recreateWebGPUBackend(gpu).then((created) => {
    const info = described(created);
    state.deviceLostReason = null;
    emit({ type: 'backend', info });
    watchDevice();
    return info;
  });
  state.backendReady = ready;
  await ready;
}

/** One re-creation per device loss, however many racers ask for it. */
function recreateBackendOnce(): Promise<void> {
  state.recreating ??= recreateBackend();
  return state.recreating;
}

function ensureBackend(): Promise<BackendInfo> {
  if (!state.backendReady) {
    state.backendReady = initBackend(self.navigator.gpu).then((created) => {
      const info = described(created);
      emit({ type: 'backend', info });
      watchDevice();
      return info;
    });
    // Allow a retry after a failure.
    state.backendReady.catch(() => {
      state.backendReady = null;
    });
  }
  return state.backendReady;
}

/** A loaded checkpoint, held as a finished run so that it can teach. */
function loadedModel(
  config: ExperimentConfig,
  classes: number,
  model: ResNetModel,
  result: EvalResult,
): TrainedModel {
  return {
    config,
    classes,
    model,
    outcome: 'finished',
    evals: [result],
    finalTop1: result.top1,
    warmupMs: 0,
    steps: 0,
    dispose: () => model.dispose(),
  };
}

function resolveTeacher(config: ExperimentConfig, classes: number): Teacher | null {
  if (!config.distill) return null;
  const teacher = state.teachers.get(config.distill);
  if (!teacher) {
    const known = [...state.teachers.keys()];
    throw new Error(
      `Knowledge distillation: teacher run "${config.distill}" is not available. ` +
        (known.length > 0
          ? `Finished runs in this session: ${known.join(', ')}.`
          : 'No run has finished in this session yet: train a teacher first.'),
    );
  }
  if (teacher.classes !== classes) {
    throw new Error(
      `Knowledge distillation: teacher ${config.distill} predicts ${teacher.classes} classes, this dataset has ${classes}.`,
    );
  }
  return teacher;
}

/** "Run r3 is" or "Race r3, r4 is": what the worker is busy with, for refusals. */
function runsInProgress(): string {
  const ids = state.current?.runIds ?? [];
  return ids.length > 1 ? `Race ${ids.join(', ')} is` : `Run ${ids[0] ?? ''} is`;
}

function refuseWhileBusy(): void {
  if (state.current) throw new Error(`${runsInProgress()} still in progress.`);
  if (state.benchmarking) {
    throw new Error('The benchmark is running: stop it or let it finish before training.');
  }
}

interface RunRequest {
  runId: string;
  config: ExperimentConfig;
  /** Continue from the checkpoint stored in the browser. */
  resume: boolean;
  emit: EventSink;
  /** A racer's seat in its race. */
  seat?: RaceSeat;
}

/**
 * Prepares and trains one run (alone or as a racer) and reports it; never rejects. Its 'ended'
 * event is queued on `run.ended`, for the caller to send once the worker is free.
 */
async function trainRun(run: CurrentRun, request: RunRequest): Promise<void> {
  const { runId, config } = request;
  let phase: RunPhase = 'preparing';
  let curves: RunCurves = NO_CURVES;
  const onEvent = (event: TrainerEvent) => {
    curves = curvesAfter(curves, event);
    phase = phaseAfter(phase, event);
    request.emit(event);
  };
  try {
    onEvent({ type: 'phase', phase: 'preparing', message: 'Preparing…' });
    const backend = await ensureBackend();
    if (state.loading) throw new Error('A dataset is still loading: wait for it or cancel it.');
    const dataset = await datasetForConfig(config, (message) =>
      onEvent({ type: 'status', message }),
    );
    const teacher = resolveTeacher(config, dataset.classNames.length);

    const resumeFrom = request.resume ? await storedCheckpoint(runId) : null;
    // A resumed transfer continues from its own checkpoint: the backbone run may be gone.
    const backbone = resumeFrom ? null : await resolveBackbone(config);
    if (run.controls.stopped) {
      onEvent({ type: 'phase', phase: 'stopped', message: 'Stopped before training began.' });
      return;
    }
    if (resumeFrom) {
      // The curves stored with the checkpoint replace what the page saved (which may lag).
      curves = NO_CURVES;
      if (resumeFrom.points.length > 0) {
        onEvent({ type: 'train-points', points: resumeFrom.points });
      }
      for (const result of resumeFrom.evals) onEvent({ type: 'eval', result });
    }
    const persist = checkpointWriter(runId, onEvent, () => curves);
    const trainer = createRecoveringTrainer(
      {
        config,
        dataset,
        teacher: teacher?.model ?? null,
        backbone,
        onEvent,
        resumeFrom,
        onCheckpoint: persist.write,
        adapter: backend.adapterIdentity,
        tuningCache: indexedDbTuningCache,
        ...(request.seat ? { raceSeat: request.seat } : {}),
      },
      { lostReason: () => state.deviceLostReason, recreateBackend: recreateBackendOnce },
      run.controls,
    );
    run.trainers.push(trainer);
    const model = await trainer.run();
    // Finished or stopped: nothing left to resume. A failed run keeps its stored checkpoint (a
    // GPU error, say): its row offers Resume from it.
    if (model?.outcome !== 'failed') await persist.discard();
    if (model?.outcome === 'finished') {
      state.teachers.get(runId)?.model.dispose();
      state.teachers.set(runId, {
        model,
        label: `${runId}: ${config.model} ×${config.width}`,
        classes: model.classes,
      });
    } else {
      // Stopped or failed runs are not teachers.
      model?.dispose();
    }
    if (!isTerminal(phase)) {
      const outcome = model?.outcome;
      onEvent({
        type: 'phase',
        phase: outcome && outcome !== 'device-lost' ? outcome : 'failed',
      });
    }
  } catch (err) {
    const message = describeFailure(errorMessage(err), config);
    onEvent({ type: 'error', message });
    onEvent({ type: 'phase', phase: 'failed', message });
  } finally {
    run.ended.push(() => onEvent({ type: 'ended', outcome: isTerminal(phase) ? phase : 'failed' }));
  }
}

/** A finished run's (or loaded checkpoint's) tensors, copied to the CPU, as a new run's backbone. */
async function resolveBackbone(config: ExperimentConfig): Promise<NamedWeight[] | null> {
  if (!config.backbone) return null;
  const held = state.teachers.get(config.backbone);
  if (!held) {
    const known = [...state.teachers.keys()];
    throw new Error(
      `Transfer: backbone run "${config.backbone}" is not available. ` +
        (known.length > 0
          ? `Finished runs and loaded checkpoints in this session: ${known.join(', ')}.`
          : 'No run has finished in this session yet: train the backbone first.'),
    );
  }
  return readWeights(held.model.model);
}

const api: TrainerWorkerApi = {
  async init(onEvent, failpointText = '') {
    state.sink = onEvent;
    if (failpointText.trim()) {
      // The valid entries take effect; the banner names them and any refused.
      const { failpoints, errors } = parseFailpoints(failpointText, CONV_KERNEL_IDS);
      setFailpoints(failpoints);
      state.failpointInfo = { active: formatFailpoints(failpoints), refused: errors };
    }
    return ensureBackend();
  },

  async start(runId, config, options = {}) {
    refuseWhileBusy();
    const run: CurrentRun = {
      runIds: [runId],
      controls: createRunControls(),
      trainers: [],
      turns: null,
      ended: [],
    };
    state.current = run;
    try {
      await trainRun(run, { runId, config, resume: !!options.resume, emit });
    } finally {
      state.current = null;
      // Last, and after `current` is cleared: the page may start the next run as soon as it
      // hears this (start()'s answer comes on another port and may arrive before or after).
      run.ended[0]?.();
    }
  },

  async startRace(racers, onRacerEvent) {
    refuseWhileBusy();
    const problem = raceProblem(
      racers.map((r) => r.config),
      webgpuDevice()?.limits.maxStorageBufferBindingSize,
    );
    if (problem) throw new Error(problem);
    const turns = createRaceTurns(racers.length);
    const run: CurrentRun = {
      runIds: racers.map((r) => r.runId),
      controls: createRunControls(),
      trainers: [],
      turns,
      ended: [],
    };
    state.current = run;
    try {
      await Promise.all(
        racers.map(async (racer, i) => {
          const sink: EventSink = (event) => {
            try {
              void Promise.resolve(onRacerEvent(racer.runId, event)).catch(() => {});
            } catch {
              // The page went away.
            }
          };
          try {
            await trainRun(run, {
              runId: racer.runId,
              config: racer.config,
              resume: false,
              emit: sink,
              seat: raceSeat(turns, i),
            });
          } finally {
            turns.leave(i);
          }
        }),
      );
    } finally {
      state.current = null;
      for (const ended of run.ended) ended();
    }
  },

  pause() {
    state.current?.controls.pause();
  },

  resume() {
    state.current?.controls.resume();
  },

  step() {
    // A race: one step for each racer still training (each takes it on its turn).
    const current = state.current;
    if (!current) return;
    const racing = current.turns ? current.turns.fractions.filter((f) => f !== null).length : 1;
    for (let i = 0; i < Math.max(1, racing); i++) current.controls.step();
  },

  stop() {
    state.current?.controls.stop();
  },

  async exportWeights(runId) {
    const teacher = state.teachers.get(runId);
    if (!teacher) return null;
    const weights = await readWeights(teacher.model.model);
    return Comlink.transfer(
      weights,
      weights.map((w) => w.values.buffer as ArrayBuffer),
    );
  },

  async simulateDeviceLoss() {
    await state.backendReady?.catch(() => null);
    const device = webgpuDevice();
    if (!device) return false;
    device.destroy();
    return true;
  },

  crashWorker() {
    setTimeout(() => {
      throw new Error('Simulated worker crash (test hook crashWorker)');
    }, 0);
  },

  async runBenchmark(request, onEvent) {
    const refuse = (message: string) => ({
      status: 'failed' as const,
      message,
      adapter: '',
      rows: [],
      peaks: null,
      largestConv: null,
      seconds: 0,
    });
    if (state.current) {
      return refuse(
        `${runsInProgress()} in progress: stop it or let it finish before running the benchmark (both would share the GPU and the timings would mean nothing).`,
      );
    }
    if (state.benchmarking) return refuse('The benchmark is already running.');
    const controller = new AbortController();
    state.benchmarking = controller;
    try {
      let backend: BackendInfo;
      try {
        backend = await ensureBackend();
      } catch (err) {
        return refuse(`No backend could be initialized: ${errorMessage(err)}`);
      }
      if (backend.backend !== 'webgpu') {
        return refuse(
          `The benchmark needs WebGPU, and this browser runs TensorFlow.js on ${backend.backend === 'webgl' ? 'WebGL' : 'the CPU'}` +
            (backend.fallbackReason ? ` (${backend.fallbackReason.replace(/\.$/, '')}).` : '.'),
        );
      }
      const report = (event: Parameters<typeof onEvent>[0]) => {
        void Promise.resolve(onEvent(event)).catch(() => {});
      };
      return await runBenchmarkOnBackend(backend, request, controller.signal, report);
    } finally {
      state.benchmarking = null;
    }
  },

  stopBenchmark() {
    state.benchmarking?.abort();
  },

  async loadDataset(request, options, onEvent) {
    if (state.current)
      throw new Error(`${runsInProgress()} in progress: stop it before loading a dataset.`);
    state.loading?.abort();
    const controller = new AbortController();
    state.loading = controller;
    const report = (event: Parameters<typeof onEvent>[0]) => {
      void Promise.resolve(onEvent(event)).catch(() => {});
    };
    try {
      return await loadIntoWorker(request, options, report, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) throw new LoadCancelled();
      throw err;
    } finally {
      if (state.loading === controller) state.loading = null;
    }
  },

  cancelLoad() {
    state.loading?.abort();
  },

  async loadedDataset() {
    return heldSummary();
  },

  async validationImages(config, indices) {
    const dataset = await datasetForConfig(config, () => {});
    const { height, width, val } = dataset;
    const area = height * width;
    const size = area * 3;
    const pixels = new Uint8Array(indices.length * size);
    const masks = val.masks ? new Uint8Array(indices.length * area) : undefined;
    indices.forEach((index, i) => {
      if (!Number.isInteger(index) || index < 0 || index >= val.count) {
        throw new Error(`validation image ${index} does not exist (${val.count} images)`);
      }
      pixels.set(val.images.subarray(index * size, (index + 1) * size), i * size);
      masks?.set(val.masks!.subarray(index * area, (index + 1) * area), i * area);
    });
    return Comlink.transfer(
      { height, width, pixels, masks, classNames: [...dataset.classNames] },
      masks ? [pixels.buffer, masks.buffer] : [pixels.buffer],
    );
  },

  async preview(config, count, draw) {
    await ensureBackend();
    // A run's warm-up may be compiling tfjs's shaders ahead; the preview uses some of them.
    await compileAheadSettled();
    const dataset = await datasetForConfig(config, () => {});
    const batch = await augmentedPreview(dataset, config, count, draw);
    const result = {
      count: batch.labels.length,
      size: batch.size,
      pixels: batch.pixels,
      labels: Array.from(batch.labels, (l) => dataset.classNames[l] ?? String(l)),
      dataset: dataset.name,
    };
    return Comlink.transfer(result, [batch.pixels.buffer]);
  },

  async adoptCheckpoint(runId, config, weights) {
    if (state.current) {
      throw new Error(`${runsInProgress()} in progress: load the checkpoint after it.`);
    }
    await ensureBackend();
    const dataset = await datasetForConfig(config, () => {});
    const classes = dataset.classNames.length;
    const predicted = weights.find((w) => w.name === 'fc.bias')?.shape[0];
    if (predicted !== classes) {
      throw new Error(
        `The checkpoint predicts ${predicted} classes and ${dataset.name} has ${classes}: load or pick the dataset it was trained on.`,
      );
    }
    const model = createModelWithWeights(resnetOptionsFromConfig(config, classes), weights);
    let result: EvalResult;
    try {
      const { height, width, val } = dataset;
      result = { epoch: 0, step: 0, ...(await evaluate(model, val, height, width, config.batch)) };
    } catch (err) {
      model.dispose();
      throw err;
    }
    state.teachers.get(runId)?.model.dispose();
    state.teachers.set(runId, {
      model: loadedModel(config, classes, model, result),
      label: `${runId}: loaded ${config.model} ×${config.width}`,
      classes,
    });
    return result;
  },

  async timmSample(config, weights) {
    await ensureBackend();
    const dataset = await datasetForConfig(config, () => {});
    const options = resnetOptionsFromConfig(config, dataset.classNames.length);
    const model = createModelWithWeights(options, weights);
    try {
      const sample = await timmSample(model, dataset.val, dataset.height, dataset.width);
      return Comlink.transfer(sample, [sample.input.buffer, sample.logits.buffer]);
    } finally {
      model.dispose();
    }
  },

  async teachers(): Promise<TeacherInfo[]> {
    return [...state.teachers.entries()].map(([runId, t]) => ({
      runId,
      label: t.label,
      classes: t.classes,
    }));
  },
};

Comlink.expose(api);
