import * as Comlink from 'comlink';
import { trainingMemoryOf } from '../architecture';
import type { ExperimentConfig } from '../config';
import { LoadCancelled } from '../data/files';
import { initBackend } from '../engine/backend';
import { augmentedPreview } from '../engine/preview';
import { createTrainer, type TrainedModel, type Trainer } from '../engine/trainer';
import { datasetForConfig, heldSummary, loadIntoWorker } from './datasets';
import type {
  BackendInfo,
  EventSink,
  NamedWeight,
  RunPhase,
  TeacherInfo,
  TrainerEvent,
  TrainerWorkerApi,
} from './protocol';

/**
 * The training worker: one backend, one run at a time. Finished runs keep their weights here
 * so later runs can distill from them (paper §5.3).
 */

interface Teacher {
  model: TrainedModel;
  label: string;
  classes: number;
}

const TERMINAL_PHASES: readonly RunPhase[] = ['finished', 'stopped', 'failed'];

let sink: EventSink = () => {};
let backendReady: Promise<BackendInfo> | null = null;
const teachers = new Map<string, Teacher>();
let loading: AbortController | null = null;

/** The run in progress; controls that arrive before its trainer exists are remembered. */
interface CurrentRun {
  runId: string;
  trainer: Trainer | null;
  stopRequested: boolean;
  pauseRequested: boolean;
}
let current: CurrentRun | null = null;

function emit(event: TrainerEvent): void {
  try {
    // A Comlink proxy returns a promise; nothing to wait for.
    void Promise.resolve(sink(event)).catch(() => {});
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

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function ensureBackend(): Promise<BackendInfo> {
  if (!backendReady) {
    backendReady = initBackend(self.navigator.gpu).then((info) => {
      emit({ type: 'backend', info });
      return info;
    });
    // Allow a retry after a failure.
    backendReady.catch(() => {
      backendReady = null;
    });
  }
  return backendReady;
}

function resolveTeacher(config: ExperimentConfig, classes: number): Teacher | null {
  if (!config.distill) return null;
  const teacher = teachers.get(config.distill);
  if (!teacher) {
    const known = [...teachers.keys()];
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

const api: TrainerWorkerApi = {
  async init(onEvent) {
    sink = onEvent;
    return ensureBackend();
  },

  async start(runId, config) {
    if (current) throw new Error(`Run ${current.runId} is still in progress.`);
    const run: CurrentRun = {
      runId,
      trainer: null,
      stopRequested: false,
      pauseRequested: false,
    };
    current = run;
    let lastPhase: RunPhase = 'preparing';
    const onEvent = (event: TrainerEvent) => {
      if (event.type === 'phase') lastPhase = event.phase;
      if (event.type === 'finished') lastPhase = 'finished';
      if (event.type === 'error') lastPhase = 'failed';
      emit(event);
    };
    try {
      onEvent({ type: 'phase', phase: 'preparing', message: 'Preparing…' });
      await ensureBackend();
      if (loading) throw new Error('A dataset is still loading: wait for it or cancel it.');
      const dataset = await datasetForConfig(config, (message) =>
        onEvent({ type: 'status', message }),
      );
      const teacher = resolveTeacher(config, dataset.classNames.length);
      if (run.stopRequested) {
        onEvent({ type: 'phase', phase: 'stopped', message: 'Stopped before training began.' });
        return;
      }
      run.trainer = createTrainer({ config, dataset, teacher: teacher?.model ?? null, onEvent });
      if (run.pauseRequested) run.trainer.pause();
      const model = await run.trainer.run();
      if (model?.outcome === 'finished') {
        teachers.get(runId)?.model.dispose();
        teachers.set(runId, {
          model,
          label: `${runId}: ${config.model} ×${config.width}`,
          classes: model.classes,
        });
      } else {
        // Stopped or failed runs are not teachers.
        model?.dispose();
      }
      if (!TERMINAL_PHASES.includes(lastPhase)) {
        onEvent({ type: 'phase', phase: model?.outcome ?? 'failed' });
      }
    } catch (err) {
      const message = describeFailure(errorMessage(err), config);
      onEvent({ type: 'error', message });
      onEvent({ type: 'phase', phase: 'failed', message });
    } finally {
      current = null;
    }
  },

  pause() {
    if (!current) return;
    current.pauseRequested = true;
    current.trainer?.pause();
  },

  resume() {
    if (!current) return;
    current.pauseRequested = false;
    current.trainer?.resume();
  },

  step() {
    current?.trainer?.step();
  },

  stop() {
    if (!current) return;
    current.stopRequested = true;
    current.trainer?.stop();
  },

  async exportWeights(runId) {
    const teacher = teachers.get(runId);
    if (!teacher) return null;
    const named = teacher.model.model.namedTensors();
    const weights: NamedWeight[] = await Promise.all(
      named.map(async ({ name, tensor }) => ({
        name,
        shape: [...tensor.shape],
        // A copy: the CPU backend may hand out its own storage, which transfer would detach.
        values: new Float32Array(await tensor.data()),
      })),
    );
    return Comlink.transfer(
      weights,
      weights.map((w) => w.values.buffer as ArrayBuffer),
    );
  },

  async loadDataset(request, options, onEvent) {
    if (current)
      throw new Error(`Run ${current.runId} is in progress: stop it before loading a dataset.`);
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    const report = (event: Parameters<typeof onEvent>[0]) => {
      void Promise.resolve(onEvent(event)).catch(() => {});
    };
    try {
      return await loadIntoWorker(request, options, report, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) throw new LoadCancelled();
      throw err;
    } finally {
      if (loading === controller) loading = null;
    }
  },

  cancelLoad() {
    loading?.abort();
  },

  async loadedDataset() {
    return heldSummary();
  },

  async validationImages(config, indices) {
    const dataset = await datasetForConfig(config, () => {});
    const { height, width, val } = dataset;
    const size = height * width * 3;
    const pixels = new Uint8Array(indices.length * size);
    indices.forEach((index, i) => {
      if (!Number.isInteger(index) || index < 0 || index >= val.count) {
        throw new Error(`validation image ${index} does not exist (${val.count} images)`);
      }
      pixels.set(val.images.subarray(index * size, (index + 1) * size), i * size);
    });
    return Comlink.transfer(
      { height, width, pixels, classNames: [...dataset.classNames] },
      [pixels.buffer],
    );
  },

  async preview(config, count, draw) {
    await ensureBackend();
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

  async teachers(): Promise<TeacherInfo[]> {
    return [...teachers.entries()].map(([runId, t]) => ({
      runId,
      label: t.label,
      classes: t.classes,
    }));
  },
};

Comlink.expose(api);
