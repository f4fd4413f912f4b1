import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeRun } from '../experiments/fixtures';
import type { SavedRun } from '../experiments/saved-run';
import { createRunWriter } from './run-writer';

describe('createRunWriter', () => {
  let batches: string[][];
  const save = async (runs: SavedRun[]) => {
    batches.push(runs.map((r) => `${r.id}:${r.name}`));
  };

  beforeEach(() => {
    batches = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('writes a live run once per interval, in its latest version', () => {
    const writer = createRunWriter(save, () => {}, 100);
    writer.write({ ...makeRun('r1'), name: 'a' }, false);
    writer.write({ ...makeRun('r1'), name: 'b' }, false);
    writer.write({ ...makeRun('r2'), name: 'c' }, false);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([['r1:b', 'r2:c']]);
  });

  it('writes at once when asked, with what was queued', () => {
    const writer = createRunWriter(save, () => {}, 100);
    writer.write({ ...makeRun('r1'), name: 'a' }, false);
    writer.write({ ...makeRun('r2'), name: 'b' }, true);
    expect(batches).toEqual([['r1:a', 'r2:b']]);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
  });

  it('forgets a deleted run and flushes only what is queued', () => {
    const writer = createRunWriter(save, () => {}, 100);
    writer.flush();
    expect(batches).toEqual([]);
    writer.write({ ...makeRun('r1'), name: 'a' }, false);
    writer.write({ ...makeRun('r2'), name: 'b' }, false);
    writer.forget('r1');
    writer.flush();
    expect(batches).toEqual([['r2:b']]);
  });

  it('reports a failed write', async () => {
    const errors: unknown[] = [];
    const writer = createRunWriter(
      () => Promise.reject(new Error('quota')),
      (err) => errors.push(err),
    );
    writer.write(makeRun('r1'), true);
    await vi.runAllTimersAsync();
    expect(errors).toEqual([new Error('quota')]);
  });
});
