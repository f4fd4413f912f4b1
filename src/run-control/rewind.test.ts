import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config';
import { divergenceCause } from '../experiments/divergence';
import type { Progress, RunPhase, TrainerEvent } from '../run/events';
import { createRunControls } from './controls';
import { rewind, type Rewindable, type RewindPoint } from './rewind';

/** A run at step 13 of epoch 4 (4 steps per epoch) whose last good checkpoint is `checkpoint`. */
function runAt(checkpoint: RewindPoint | null) {
  const events: TrainerEvent[] = [];
  const phases: [RunPhase, string | undefined][] = [];
  const restored: RewindPoint[] = [];
  let position: RewindPoint = { step: 13, epoch: 4 };
  const run: Rewindable<RewindPoint> = {
    config: { ...defaultConfig(), lr: 10, warmup: 0 },
    stepsPerEpoch: 4,
    get step() {
      return position.step;
    },
    get epoch() {
      return position.epoch;
    },
    checkpoint,
    failure: null,
    controls: createRunControls(),
    emit: (event) => events.push(event),
    setPhase: (phase, message) => phases.push([phase, message]),
    progress: () => ({ step: run.step, epoch: run.epoch }) as Progress,
    restore: (to) => {
      restored.push(to);
      position = to;
    },
  };
  return { run, events, phases, restored };
}

describe('rewind', () => {
  it('goes back to the checkpoint, reports where and why, and pauses there', () => {
    const { run, events, phases, restored } = runAt({ step: 8, epoch: 2 });
    run.controls.pause();
    run.controls.step(); // a single step granted before the divergence is not taken after it
    const bad = { step: 13, loss: NaN, lr: 10 };
    expect(rewind(run, bad)).toBe('rewind');
    expect(restored).toEqual([{ step: 8, epoch: 2 }]);
    expect([run.step, run.epoch]).toEqual([8, 2]);
    const cause = divergenceCause({ config: run.config, stepsPerEpoch: 4, ...bad });
    expect(cause).toBe(
      'learning rate 10 without warmup is likely too high; try warmup or a lower lr',
    );
    expect(events).toEqual([
      { type: 'diverged', mark: { step: 13, loss: 'NaN', cause, restoredStep: 8 } },
      // The progress after the rewind is the checkpoint's.
      { type: 'progress', progress: { step: 8, epoch: 2 } },
    ]);
    expect(run.controls.holding).toBe(true);
    expect(phases).toEqual([
      [
        'paused',
        `Training diverged at step 13 (loss NaN): ${cause}. The model is back at its checkpoint of step 8; Resume continues from there, Stop ends the run.`,
      ],
    ]);
    expect(run.failure).toBeNull();
  });

  it('marks a diverged validation loss as such', () => {
    const { run, events, phases } = runAt({ step: 8, epoch: 2 });
    expect(rewind(run, { step: 12, loss: Infinity, lr: 10, validation: true })).toBe('rewind');
    expect(events[0]).toMatchObject({
      type: 'diverged',
      mark: { step: 12, loss: 'Infinity', validation: true, restoredStep: 8 },
    });
    expect(phases[0]![1]).toContain('Training diverged at step 12 (validation loss Infinity)');
  });

  it('without a checkpoint: stop, with the reason as the failure, and nothing else changes', () => {
    const { run, events, phases, restored } = runAt(null);
    expect(rewind(run, { step: 1, loss: NaN, lr: 10 })).toBe('stop');
    expect(run.failure).toBe('Training diverged at step 1 (loss NaN) and no checkpoint was kept');
    expect([run.step, run.epoch]).toEqual([13, 4]);
    expect(restored).toEqual([]);
    expect(events).toEqual([]);
    expect(phases).toEqual([]);
    expect(run.controls.paused).toBe(false);
  });
});
