import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config';
import { applyEvent, INITIAL_RUNS, isActive, newRun, runsReducer, summarizeConfig } from './runs';

describe('runs', () => {
  it('summarizes the model and the tricks that are on', () => {
    const c = { ...defaultConfig(), cosine: true, label_smoothing: 0.1, distill: 'r2' };
    expect(summarizeConfig(c)).toBe('resnet18 ×0.25 · cosine · LS 0.1 · KD r2');
  });

  it('names a transfer’s backbone run and how it trains', () => {
    const probe = { ...defaultConfig(), backbone: 'r3', transfer: 'probe' as const };
    expect(summarizeConfig(probe)).toBe('resnet18 ×0.25 · linear probe of r3');
    const tuned = { ...defaultConfig(), backbone: 'r3', backbone_lr: 0.1 };
    expect(summarizeConfig(tuned)).toBe('resnet18 ×0.25 · fine-tuned from r3 (backbone lr ×0.1)');
  });

  it('folds events into a run', () => {
    let run = newRun('r1', defaultConfig());
    expect(isActive(run)).toBe(true);
    run = applyEvent(run, { type: 'phase', phase: 'training' });
    run = applyEvent(run, {
      type: 'train-points',
      points: [{ step: 1, epoch: 1, loss: 2.3, lr: 0.1 }],
    });
    run = applyEvent(run, {
      type: 'eval',
      result: { epoch: 1, step: 1, valLoss: 2, top1: 0.2, top5: 0.6, gaps: [1], meanGap: 1 },
    });
    run = applyEvent(run, { type: 'finished', warmupMs: 1000, finalTop1: 0.2 });
    run = applyEvent(run, { type: 'phase', phase: 'finished' });
    expect(run.phase).toBe('finished');
    expect(run.points).toHaveLength(1);
    expect(run.evals).toHaveLength(1);
    expect(run.finalTop1).toBe(0.2);
    // A late non-terminal phase does not reopen a finished run.
    expect(applyEvent(run, { type: 'phase', phase: 'training' }).phase).toBe('finished');
  });

  it('an error fails the run and keeps its message', () => {
    let run = newRun('r1', defaultConfig());
    run = applyEvent(run, { type: 'error', message: 'diverged' });
    run = applyEvent(run, { type: 'phase', phase: 'failed' });
    expect(run.phase).toBe('failed');
    expect(run.error).toBe('diverged');
  });

  it('settle marks a run that ended silently as stopped, or failed on rejection', () => {
    let s = runsReducer(INITIAL_RUNS, { type: 'start', id: 'r1', config: defaultConfig() });
    expect(s.runs.map((r) => r.id)).toEqual(['r1']);
    s = runsReducer(s, { type: 'settle', id: 'r1' });
    expect(s.runs[0]!.phase).toBe('stopped');
    s = runsReducer(s, { type: 'start', id: 'r2', config: defaultConfig() });
    s = runsReducer(s, { type: 'settle', id: 'r2', error: 'worker died' });
    expect(s.runs[1]!.phase).toBe('failed');
    expect(s.runs[1]!.error).toBe('worker died');
  });

  it('a run that went back to a checkpoint replaces the steps it trains again', () => {
    const point = (step: number, loss: number) => ({ step, epoch: 1, loss, lr: 0.1 });
    const evalAt = (step: number) => ({
      epoch: step / 2,
      step,
      valLoss: 1,
      top1: 0.5,
      top5: null,
      gaps: [],
      meanGap: 1,
    });
    let run = newRun('r1', defaultConfig(), {
      points: [point(1, 2), point(2, 1.9), point(3, 1.8), point(4, 1.7)],
      evals: [evalAt(2), evalAt(4)],
      divergences: [],
    });
    expect(run.points).toHaveLength(4);
    run = applyEvent(run, {
      type: 'diverged',
      mark: { step: 5, loss: 'NaN', cause: 'lr too high', restoredStep: 2 },
    });
    run = applyEvent(run, { type: 'train-points', points: [point(3, 1.5), point(4, 1.4)] });
    expect(run.points.map((p) => [p.step, p.loss])).toEqual([
      [1, 2],
      [2, 1.9],
      [3, 1.5],
      [4, 1.4],
    ]);
    run = applyEvent(run, { type: 'eval', result: evalAt(4) });
    expect(run.evals.map((e) => e.step)).toEqual([2, 4]);
    expect(run.divergences).toHaveLength(1);
    run = applyEvent(run, { type: 'checkpoint', step: 4, epoch: 2 });
    expect(run.checkpoint).toEqual({ step: 4, epoch: 2 });
    run = applyEvent(run, { type: 'notice', message: 'GPU device re-created' });
    expect(run.notices).toEqual(['GPU device re-created']);
  });

  it('a resumed run replaces its earlier record of the session', () => {
    let state = runsReducer(INITIAL_RUNS, { type: 'start', id: 'r1', config: defaultConfig() });
    state = runsReducer(state, {
      type: 'events',
      id: 'r1',
      events: [{ type: 'error', message: 'x' }],
    });
    state = runsReducer(state, {
      type: 'start',
      id: 'r1',
      config: defaultConfig(),
      history: { points: [], evals: [], divergences: [] },
    });
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]!.phase).toBe('preparing');
  });
});
