import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config';
import { applyEvent, newRun } from '../ui/runs';
import type { EvalResult, RunPhase, TrainerEvent, TrainPoint } from '../run/events';
import {
  acceptsPhase,
  curvesAfter,
  isTerminal,
  NO_CURVES,
  phaseAfter,
  replaceFrom,
  TERMINAL_PHASES,
  type RunCurves,
} from './run-events';

const point = (step: number, loss: number): TrainPoint => ({ step, epoch: 1, loss, lr: 0.1 });
const evalAt = (step: number, top1 = 0.5): EvalResult => ({
  epoch: step / 4,
  step,
  valLoss: 1,
  top1,
  top5: null,
  gaps: [],
  meanGap: 1,
});

/** The worker's fold of a run (run-events only). */
function workerFold(events: TrainerEvent[]): { phase: RunPhase; curves: RunCurves } {
  let phase: RunPhase = 'preparing';
  let curves = NO_CURVES;
  for (const event of events) {
    phase = phaseAfter(phase, event);
    curves = curvesAfter(curves, event);
  }
  return { phase, curves };
}

/** A run that diverges at step 6, goes back to its checkpoint of step 4 and trains on. */
const REWOUND: TrainerEvent[] = [
  { type: 'phase', phase: 'warmup' },
  { type: 'train-points', points: [point(1, 2.3), point(2, 2.2), point(3, 2.1), point(4, 2)] },
  { type: 'eval', result: evalAt(4, 0.3) },
  { type: 'phase', phase: 'training' },
  { type: 'train-points', points: [point(5, 1.9)] },
  {
    type: 'diverged',
    mark: { step: 6, loss: 'NaN', cause: 'lr too high', restoredStep: 4 },
  },
  { type: 'phase', phase: 'paused', message: 'Training diverged at step 6' },
  { type: 'phase', phase: 'training' },
  { type: 'train-points', points: [point(5, 1.8), point(6, 1.7), point(7, 1.6), point(8, 1.5)] },
  { type: 'eval', result: evalAt(8, 0.6) },
  { type: 'finished', warmupMs: 100, finalTop1: 0.6 },
  { type: 'phase', phase: 'finished' },
  { type: 'ended', outcome: 'finished' },
];

describe('run events', () => {
  it('one list of terminal phases', () => {
    expect(TERMINAL_PHASES).toEqual(['finished', 'stopped', 'failed']);
    const all: RunPhase[] = ['idle', 'preparing', 'warmup', 'training', 'paused'];
    expect(all.filter(isTerminal)).toEqual([]);
    expect(TERMINAL_PHASES.every(isTerminal)).toBe(true);
  });

  it('a run that is over is not reopened, and a failed run stays failed', () => {
    expect(acceptsPhase('training', 'paused')).toBe(true);
    expect(acceptsPhase('finished', 'training')).toBe(false);
    expect(acceptsPhase('stopped', 'failed')).toBe(true);
    expect(acceptsPhase('failed', 'stopped')).toBe(false);
    expect(acceptsPhase('failed', 'failed')).toBe(true);
    expect(phaseAfter('failed', { type: 'finished', warmupMs: 0, finalTop1: null })).toBe('failed');
    expect(phaseAfter('training', { type: 'error', message: 'x' })).toBe('failed');
    expect(phaseAfter('paused', { type: 'status', message: 'x' })).toBe('paused');
  });

  it("'ended' gives a run still in progress its outcome, and leaves an ended one as it is", () => {
    expect(phaseAfter('training', { type: 'ended', outcome: 'stopped' })).toBe('stopped');
    expect(phaseAfter('finished', { type: 'ended', outcome: 'failed' })).toBe('finished');
    expect(phaseAfter('failed', { type: 'ended', outcome: 'failed' })).toBe('failed');
  });

  it('points and evaluations trained again after a rewind replace the old ones', () => {
    expect(replaceFrom([point(1, 2), point(2, 1)], [])).toEqual([point(1, 2), point(2, 1)]);
    expect(replaceFrom([point(1, 2), point(2, 1)], [point(3, 0.5)]).map((p) => p.step)).toEqual([
      1, 2, 3,
    ]);
    const again = replaceFrom([point(1, 2), point(2, 1), point(3, 0.9)], [point(2, 0.8)]);
    expect(again.map((p) => [p.step, p.loss])).toEqual([
      [1, 2],
      [2, 0.8],
    ]);
    const { curves } = workerFold(REWOUND);
    expect(curves.points.map((p) => [p.step, p.loss])).toEqual([
      [1, 2.3],
      [2, 2.2],
      [3, 2.1],
      [4, 2],
      [5, 1.8],
      [6, 1.7],
      [7, 1.6],
      [8, 1.5],
    ]);
    expect(curves.evals.map((e) => [e.step, e.top1])).toEqual([
      [4, 0.3],
      [8, 0.6],
    ]);
    // The divergence mark stays: it says where the run went wrong.
    expect(curves.divergences.map((d) => d.step)).toEqual([6]);
  });

  it('adds nothing for events that carry no curve', () => {
    const curves: RunCurves = { points: [point(1, 2)], evals: [], divergences: [] };
    expect(curvesAfter(curves, { type: 'train-points', points: [] })).toBe(curves);
    expect(curvesAfter(curves, { type: 'progress', progress: {} as never })).toBe(curves);
  });

  it('the worker and the page fold the same events to the same phase and curves', () => {
    const ui = REWOUND.reduce(applyEvent, newRun('r1', defaultConfig()));
    const worker = workerFold(REWOUND);
    expect(ui.phase).toBe(worker.phase);
    expect(ui.phase).toBe('finished');
    expect({ points: ui.points, evals: ui.evals, divergences: ui.divergences }).toEqual(
      worker.curves,
    );
    // Stopped while preparing: the run ends stopped on both sides.
    const stopped: TrainerEvent[] = [
      { type: 'phase', phase: 'stopped', message: 'Stopped before training began.' },
      { type: 'ended', outcome: 'stopped' },
    ];
    expect(stopped.reduce(applyEvent, newRun('r2', defaultConfig())).phase).toBe('stopped');
    expect(workerFold(stopped).phase).toBe('stopped');
    // A run that ended without a terminal phase takes the outcome of 'ended' on both sides.
    const silent: TrainerEvent[] = [
      { type: 'phase', phase: 'training' },
      { type: 'ended', outcome: 'failed' },
    ];
    expect(silent.reduce(applyEvent, newRun('r3', defaultConfig())).phase).toBe('failed');
    expect(workerFold(silent).phase).toBe('failed');
  });
});
