import type * as Comlink from 'comlink';
import type { ExperimentConfig } from '../../config';
import type { BackendInfo, NamedWeight } from '../../run/events';
import type { TrainerWorkerApi } from '../../worker/protocol';
import type { RunHistory, RunRecord } from '../runs';

/** The session's runs and the controls of the training worker, as useTrainer gives them. */
export interface Trainer {
  backend: BackendInfo | null;
  /** The worker could not start, or crashed. */
  workerError: string | null;
  runs: RunRecord[];
  active: RunRecord | null;
  /**
   * Starts run `id` (useRunLauncher owns the ids). With `history`, the run resumes from the
   * checkpoint stored in the browser and its curves continue from `history`.
   */
  start: (config: ExperimentConfig, id: string, history?: RunHistory) => string | null;
  /**
   * Starts a race of 2–4 runs (ids from useRunLauncher), trained in turn in the worker; the
   * controls act on all of them. Null when the worker is not there.
   */
  startRace: (racers: { id: string; config: ExperimentConfig }[]) => string[] | null;
  /** The runs of the latest race (finished ones too), in racer order; empty after a single run. */
  racers: RunRecord[];
  /** A run is in the worker (until its 'ended' event, or start() fails); a new run must wait. */
  busy: boolean;
  /** Trained weights of a finished run of this session (null when the worker has none). */
  exportWeights: (id: string) => Promise<NamedWeight[] | null>;
  pause: () => void;
  resume: () => void;
  step: () => void;
  stop: () => void;
  /** The worker's API once it exists (datasets and the augmentation preview use it directly). */
  api: Comlink.Remote<TrainerWorkerApi> | null;
}
