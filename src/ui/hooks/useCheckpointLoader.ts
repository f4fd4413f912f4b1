import type * as Comlink from 'comlink';
import { useCallback, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import { errorMessage } from '../../errors';
import { finalMetrics } from '../../experiments/metrics';
import { nextRunId, type SavedRun } from '../../experiments/saved-run';
import { saveWeights } from '../../storage/run-store';
import type { TrainerWorkerApi } from '../../worker/protocol';
import type { RunsMessage } from '../components/RunsPanel';
import type { TeacherOption } from '../components/TeacherSelect';
import type { RunRecord } from '../runs';
import type { SavedRuns } from './useSavedRuns';

export interface CheckpointLoader {
  /** model.json + model.safetensors (a folder's files, or loose files) become a finished run. */
  loadCheckpoint: (files: File[]) => Promise<void>;
  /** Loaded runs the worker holds, usable as distillation teachers in this session. */
  loadedTeachers: TeacherOption[];
}

/** "Load checkpoint": read and check on the page, evaluate and keep as a teacher in the worker. */
export function useCheckpointLoader(
  api: Comlink.Remote<TrainerWorkerApi> | null,
  saved: Pick<SavedRuns, 'runs' | 'add'>,
  sessionRuns: RunRecord[],
  config: ExperimentConfig,
  say: (message: RunsMessage) => void,
  show: (id: string) => void,
): CheckpointLoader {
  const [loadedTeachers, setLoadedTeachers] = useState<TeacherOption[]>([]);

  const loadCheckpoint = useCallback(
    async (files: File[]) => {
      try {
        if (!api) throw new Error('the training worker is not ready');
        // Loaded on first use: the checkpoint reader is not part of the page's initial bundle.
        const { checkpointConfig, pickCheckpointFiles, readTimmCheckpoint } =
          await import('../../timm/import');
        const picked = pickCheckpointFiles(files);
        const checkpoint = readTimmCheckpoint(
          await picked.modelJson.text(),
          new Uint8Array(await picked.weights.arrayBuffer()),
        );
        const runConfig = checkpointConfig(config, checkpoint);
        const id = nextRunId([...saved.runs.map((r) => r.id), ...sessionRuns.map((r) => r.id)]);
        const result = await api.adoptCheckpoint(id, runConfig, checkpoint.weights);
        await saveWeights(id, checkpoint.weights);
        const now = Date.now();
        const run: SavedRun = {
          id,
          name: `Loaded checkpoint ${picked.weights.webkitRelativePath || picked.weights.name}`,
          config: runConfig,
          status: 'finished',
          origin: 'imported',
          createdAt: now,
          updatedAt: now,
          points: [],
          evals: [result],
          final: finalMetrics([], [result], null),
          error: null,
          warmupMs: null,
          sweep: null,
          hasWeights: true,
        };
        saved.add([run]);
        setLoadedTeachers((list) => [
          ...list,
          { runId: id, label: `${id}: loaded ${runConfig.model} ×${runConfig.width}` },
        ]);
        show(id);
        say({
          text: `Loaded the checkpoint as ${id}: top-1 ${(result.top1 * 100).toFixed(1)}% on the validation set.`,
          error: false,
        });
      } catch (err) {
        say({ text: `Load checkpoint: ${errorMessage(err)}`, error: true });
      }
    },
    [api, saved, sessionRuns, config, say, show],
  );

  return { loadCheckpoint, loadedTeachers };
}
