import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import { markInterrupted, nextRunId } from '../experiments/saved-run';
import { applyEvent, newRun } from './runs';
import { mustWriteNow, statusOf, toSavedRun } from './saved-runs';

describe('saved runs from session records', () => {
  it('maps phases to stored statuses', () => {
    expect(statusOf('training')).toBe('running');
    expect(statusOf('paused')).toBe('running');
    expect(statusOf('finished')).toBe('finished');
    expect(statusOf('stopped')).toBe('stopped');
  });

  it('keeps name, creation time and sweep tag of the stored copy', () => {
    let record = newRun('r2', { ...DEFAULT_CONFIG });
    record = applyEvent(record, {
      type: 'train-points',
      points: [
        { step: 1, epoch: 1, loss: 2, lr: 0.1 },
        { step: 2, epoch: 1, loss: 1, lr: 0.1 },
      ],
    });
    const first = toSavedRun(record, undefined, 10, { table: 'table4', row: 0, label: 'Baseline' });
    expect(first.status).toBe('running');
    expect(first.final?.trainLoss).toBe(1.5);
    const renamed = { ...first, name: 'mine', hasWeights: true };
    const later = toSavedRun(applyEvent(record, { type: 'phase', phase: 'finished' }), renamed, 20);
    expect(later).toMatchObject({
      name: 'mine',
      createdAt: 10,
      updatedAt: 20,
      status: 'finished',
      hasWeights: true,
      sweep: { table: 'table4' },
    });
  });

  it('marks runs that were running when the page closed as interrupted', () => {
    const run = toSavedRun(newRun('r1', { ...DEFAULT_CONFIG }), undefined, 0);
    expect(markInterrupted(run).status).toBe('interrupted');
    expect(markInterrupted({ ...run, status: 'finished' }).status).toBe('finished');
  });

  it('numbers new runs above every stored id', () => {
    expect(nextRunId([])).toBe('r1');
    expect(nextRunId(['r2', 'r10', 'x'])).toBe('r11');
  });
});

describe('when a saved run is written', () => {
  const running = toSavedRun(newRun('r1', { ...DEFAULT_CONFIG }), undefined, 0);

  it('writes a new run, an ended run and a new checkpoint at once', () => {
    expect(mustWriteNow(running, undefined)).toBe(true);
    expect(mustWriteNow({ ...running, status: 'finished' }, running)).toBe(true);
    expect(mustWriteNow({ ...running, checkpoint: { step: 8, epoch: 1 } }, running)).toBe(true);
  });

  it('batches the other changes of a running run', () => {
    expect(mustWriteNow({ ...running, updatedAt: 5 }, running)).toBe(false);
    const checkpointed = { ...running, checkpoint: { step: 8, epoch: 1 } };
    expect(mustWriteNow({ ...checkpointed, updatedAt: 5 }, checkpointed)).toBe(false);
  });
});
