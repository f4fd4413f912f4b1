import { errorMessage } from '../errors';
import { createRunControls, type RunControls } from '../run-control/controls';
import type { Checkpoint } from '../run/events';
import { createTrainer, type TrainedModel, type Trainer, type TrainerOptions } from './trainer';

/**
 * A trainer that survives a lost GPU device: when the device goes (driver reset, GPU removed,
 * `device.destroy()`), the run ends as 'device-lost' with its last checkpoint on the CPU; this
 * re-creates the device and backend and continues with a new trainer from that checkpoint. Every
 * trainer of the run shares the run's controls: a pause or stop holds across a lost device.
 */

export interface RecoveryOptions {
  /** Why the current device was lost; null while it works. */
  lostReason: () => string | null;
  /** Creates a new device and tfjs backend (the caller forgets the old loss). */
  recreateBackend: () => Promise<void>;
  /** Losses survived in one run before it fails. */
  maxRecoveries?: number;
}

export const MAX_RECOVERIES = 3;

export function createRecoveringTrainer(
  options: TrainerOptions,
  recovery: RecoveryOptions,
  controls: RunControls = createRunControls(),
): Trainer {
  const emit = options.onEvent;
  const maxRecoveries = recovery.maxRecoveries ?? MAX_RECOVERIES;
  let current: Trainer | null = null;
  let lastCheckpoint: Checkpoint | null = options.resumeFrom ?? null;

  const fail = (message: string): null => {
    emit({ type: 'error', message });
    emit({ type: 'phase', phase: 'failed', message });
    return null;
  };

  async function run(): Promise<TrainedModel | null> {
    let resumeFrom = options.resumeFrom ?? null;
    for (let losses = 0; ; losses++) {
      const trainer = createTrainer(
        { ...options, resumeFrom, deviceLost: () => recovery.lostReason() !== null },
        controls,
      );
      current = trainer;
      const result = await trainer.run();
      lastCheckpoint = trainer.checkpoint ?? lastCheckpoint;
      if (result?.outcome !== 'device-lost') return result;

      const reason = recovery.lostReason() ?? 'unknown reason';
      try {
        result.dispose();
      } catch {
        // Its buffers died with the device.
      }
      const checkpoint = trainer.checkpoint;
      if (controls.stopped) {
        emit({ type: 'phase', phase: 'stopped' });
        return null;
      }
      if (!checkpoint)
        return fail(`The GPU device was lost (${reason}) before a checkpoint existed.`);
      if (losses >= maxRecoveries) {
        return fail(
          `The GPU device was lost ${losses + 1} times in this run (last: ${reason}); giving up. The checkpoint of step ${checkpoint.step} is kept.`,
        );
      }
      if (options.teacher) {
        return fail(
          `The GPU device was lost (${reason}) and the distillation teacher's weights were on it; train the teacher again.`,
        );
      }
      emit({
        type: 'notice',
        message: `The GPU device was lost (${reason}). Re-creating it and resuming from the checkpoint of step ${checkpoint.step}.`,
      });
      try {
        await recovery.recreateBackend();
      } catch (error) {
        return fail(
          `The GPU device was lost (${reason}) and could not be re-created: ${errorMessage(error)}`,
        );
      }
      resumeFrom = checkpoint;
    }
  }

  return {
    run,
    pause: () => controls.pause(),
    resume: () => controls.resume(),
    step: () => controls.step(),
    stop: () => controls.stop(),
    interrupt() {
      current?.interrupt();
    },
    get phase() {
      return current?.phase ?? 'idle';
    },
    get checkpoint() {
      return current?.checkpoint ?? lastCheckpoint;
    },
  };
}
