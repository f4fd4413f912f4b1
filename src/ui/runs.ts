import { PARAMS, type ExperimentConfig, type ParamKey } from '../config';
import type {
  DivergenceMark,
  EvalResult,
  Progress,
  RunPhase,
  TrainPoint,
  TrainerEvent,
} from '../run/events';
import { acceptsPhase, curvesAfter, phaseAfter } from '../worker/run-events';

/** The UI's in-session record of one training run, folded from the worker's events. Pure. */
export interface RunRecord {
  id: string;
  config: ExperimentConfig;
  /** Short description: model, width and the tricks that are on. */
  summary: string;
  phase: RunPhase;
  /** Latest status line (dataset generation, shader warm-up). */
  status: string;
  statusFraction: number | null;
  progress: Progress | null;
  points: TrainPoint[];
  evals: EvalResult[];
  finalTop1: number | null;
  warmupMs: number | null;
  error: string | null;
  /** Where the loss became NaN/Inf, and the likely cause. */
  divergences: DivergenceMark[];
  /** Repaired incidents (a lost GPU device) and storage warnings, oldest first. */
  notices: string[];
  /** The latest checkpoint stored in the browser (resumable after a reload). */
  checkpoint: { step: number; epoch: number } | null;
}

/** What a resumed run carries over: its curves so far. */
export type RunHistory = Pick<RunRecord, 'points' | 'evals' | 'divergences'>;

export const ACTIVE_PHASES: readonly RunPhase[] = ['preparing', 'warmup', 'training', 'paused'];

export function isActive(run: RunRecord | undefined | null): boolean {
  return !!run && ACTIVE_PHASES.includes(run.phase);
}

const TRICK_KEYS: ParamKey[] = [
  'linear_scaling',
  'warmup',
  'zero_gamma',
  'no_bias_decay',
  'tweak_b',
  'tweak_c',
  'tweak_d',
  'cosine',
  'label_smoothing',
  'mixup',
  'distill',
];

const SHORT: Partial<Record<ParamKey, string>> = {
  linear_scaling: 'linear scaling',
  warmup: 'warmup',
  zero_gamma: 'zero γ',
  no_bias_decay: 'no bias decay',
  tweak_b: 'B',
  tweak_c: 'C',
  tweak_d: 'D',
  cosine: 'cosine',
  label_smoothing: 'LS',
  mixup: 'mixup',
  distill: 'KD',
};

export function summarizeConfig(config: ExperimentConfig): string {
  const parts = [`${config.model} ×${config.width}`];
  for (const key of TRICK_KEYS) {
    const value = config[key];
    if (value === PARAMS[key].default) continue;
    const name = SHORT[key] ?? key;
    parts.push(typeof value === 'boolean' ? name : `${name} ${value}`);
  }
  // Transfer (§6): the backbone's row, under Runs, lists its own tricks.
  if (config.backbone) {
    parts.push(
      config.transfer === 'probe'
        ? `linear probe of ${config.backbone}`
        : `fine-tuned from ${config.backbone} (backbone lr ×${config.backbone_lr})`,
    );
  }
  return parts.join(' · ');
}

export function newRun(id: string, config: ExperimentConfig, history?: RunHistory): RunRecord {
  return {
    id,
    config,
    summary: summarizeConfig(config),
    phase: 'preparing',
    status: 'Starting…',
    statusFraction: null,
    progress: null,
    points: history?.points ?? [],
    evals: history?.evals ?? [],
    finalTop1: null,
    warmupMs: null,
    error: null,
    divergences: history?.divergences ?? [],
    notices: [],
    checkpoint: null,
  };
}

/**
 * Applies one worker event to a run. Its phase and curves follow the rules the worker folds with
 * (run-events.ts): events after a terminal phase only add information, and the steps a rewind
 * trains again replace the old ones.
 */
export function applyEvent(run: RunRecord, event: TrainerEvent): RunRecord {
  switch (event.type) {
    case 'phase': {
      if (!acceptsPhase(run.phase, event.phase)) return run;
      const next: RunRecord = { ...run, phase: event.phase };
      if (event.message) next.status = event.message;
      if (event.phase === 'failed' && event.message && !run.error) next.error = event.message;
      return next;
    }
    case 'status':
      return { ...run, status: event.message, statusFraction: event.fraction ?? null };
    case 'progress':
      return { ...run, progress: event.progress };
    case 'train-points':
    case 'eval':
    case 'diverged':
      return curvesAfter(run, event);
    case 'notice':
      return { ...run, notices: [...run.notices, event.message] };
    case 'checkpoint':
      return { ...run, checkpoint: { step: event.step, epoch: event.epoch } };
    case 'finished':
      return {
        ...run,
        phase: phaseAfter(run.phase, event),
        finalTop1: event.finalTop1,
        warmupMs: event.warmupMs,
      };
    case 'error':
      return { ...run, phase: phaseAfter(run.phase, event), error: event.message };
    case 'ended': {
      // The worker is done with the run: one still marked active ends with the outcome.
      const phase = phaseAfter(run.phase, event);
      return phase === run.phase ? run : { ...run, phase };
    }
    case 'backend':
      return run;
  }
}

export interface RunsState {
  runs: RunRecord[];
}

export type RunsAction =
  | { type: 'start'; id: string; config: ExperimentConfig; history?: RunHistory }
  | { type: 'events'; id: string; events: TrainerEvent[] }
  | { type: 'settle'; id: string; error?: string };

export const INITIAL_RUNS: RunsState = { runs: [] };

export function runsReducer(state: RunsState, action: RunsAction): RunsState {
  switch (action.type) {
    case 'start':
      // A resumed run replaces its earlier record of this session, if any.
      return {
        runs: [
          ...state.runs.filter((r) => r.id !== action.id),
          newRun(action.id, action.config, action.history),
        ],
      };
    case 'events':
      return {
        ...state,
        runs: state.runs.map((r) => (r.id === action.id ? action.events.reduce(applyEvent, r) : r)),
      };
    case 'settle':
      // The worker refused the run or crashed (error), or it ended without saying how.
      return {
        ...state,
        runs: state.runs.map((r) => {
          if (r.id !== action.id) return r;
          if (action.error) return applyEvent(r, { type: 'error', message: action.error });
          return isActive(r) ? { ...r, phase: 'stopped' } : r;
        }),
      };
  }
}
