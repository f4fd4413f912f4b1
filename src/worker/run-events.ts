import type {
  DivergenceMark,
  EvalResult,
  RunPhase,
  TerminalPhase,
  TrainerEvent,
  TrainPoint,
} from '../run/events';

/**
 * How a run's events fold into what is known of it: its phase and its curves. The worker (which
 * stores the curves with each checkpoint and reports how the run ended) and the page (which draws
 * them) both fold with these rules, so they agree on when a run is over and on which points a
 * rewind replaced. Pure.
 */

/** A run in one of these phases is over. */
export const TERMINAL_PHASES: readonly TerminalPhase[] = ['finished', 'stopped', 'failed'];

export function isTerminal(phase: RunPhase): phase is TerminalPhase {
  return (TERMINAL_PHASES as readonly RunPhase[]).includes(phase);
}

/**
 * Whether a run in `current` moves to phase `next`. A run that is over is not reopened (a late
 * 'training' after 'finished' is a reordered message), and a failed run stays failed.
 */
export function acceptsPhase(current: RunPhase, next: RunPhase): boolean {
  if (isTerminal(current) && !isTerminal(next)) return false;
  return current !== 'failed' || next === 'failed';
}

/** The phase of a run after `event`. */
export function phaseAfter(phase: RunPhase, event: TrainerEvent): RunPhase {
  switch (event.type) {
    case 'phase':
      return acceptsPhase(phase, event.phase) ? event.phase : phase;
    case 'finished':
      return phase === 'failed' ? phase : 'finished';
    case 'error':
      return 'failed';
    case 'ended':
      // A run that ended without saying how in a phase takes the outcome.
      return isTerminal(phase) ? phase : event.outcome;
    default:
      return phase;
  }
}

/** What a run has drawn so far. */
export interface RunCurves {
  points: TrainPoint[];
  evals: EvalResult[];
  /** Where the loss became NaN/Inf, and the likely cause. */
  divergences: DivergenceMark[];
}

export const NO_CURVES: RunCurves = { points: [], evals: [], divergences: [] };

/**
 * `items` followed by `fresh`, dropping the items at or after fresh's first step: a run that went
 * back to a checkpoint (divergence, lost device, resume after a reload) trains those steps
 * again, and the new values replace the old.
 */
export function replaceFrom<T extends { step: number }>(items: T[], fresh: T[]): T[] {
  if (fresh.length === 0) return items;
  const from = fresh[0]!.step;
  const kept =
    items.length > 0 && items.at(-1)!.step >= from
      ? items.filter((item) => item.step < from)
      : items;
  return [...kept, ...fresh];
}

/**
 * The curves after `event` (the same object when it adds nothing). A divergence mark stays after
 * its rewind: it says where the run went wrong, and the points trained again replace the rest.
 */
export function curvesAfter<C extends RunCurves>(curves: C, event: TrainerEvent): C {
  switch (event.type) {
    case 'train-points':
      return event.points.length === 0
        ? curves
        : { ...curves, points: replaceFrom(curves.points, event.points) };
    case 'eval':
      return { ...curves, evals: replaceFrom(curves.evals, [event.result]) };
    case 'diverged':
      return { ...curves, divergences: [...curves.divergences, event.mark] };
    default:
      return curves;
  }
}
