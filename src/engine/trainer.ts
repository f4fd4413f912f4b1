import { errorMessage } from '../errors';
import { createRunControls, type RunControls } from '../run-control/controls';
import { rewind } from '../run-control/rewind';
import type { Checkpoint, RunPhase } from '../run/events';
import type { TrainedModel, TrainerOptions } from './trainer-types';
import { evaluateEpoch, trainEpoch, type EpochEnd } from './training/epoch';
import {
  createSession,
  keepCheckpoint,
  refusal,
  trainedModel,
  type Session,
} from './training/session';
import { warmUp } from './training/warm-up';

/**
 * The training loop, read top to bottom in `run()`: warm-up, then for each epoch its steps, its
 * evaluation and its checkpoint. The parts live in ./training (the session they share, warm-up,
 * an epoch's steps, the loss readback) and, without tensors, in ../training (the run controls,
 * the throughput meter, the rewind).
 *
 * Costs: a step only queues GPU work; reading a value back makes the CPU wait for all of it. So
 * losses stay on the GPU and are read in one transfer every READBACK_STEPS steps (or
 * READBACK_MS), and the loop yields to the event loop every YIELD_MS for pause and stop.
 *
 * Reliability: a checkpoint (CPU copies of the weights, BN statistics and velocities) is taken at
 * the start and after every epoch. A NaN/Inf loss restores it and pauses the run with the likely
 * cause; Resume trains on from it. A lost GPU device ends the run as 'device-lost' with that
 * checkpoint, from which a new trainer (`resumeFrom`) continues on a re-created device.
 */

export { YIELD_MS } from './training/epoch';
export type { RunOutcome, TrainedModel, TrainerOptions } from './trainer-types';

export interface Trainer {
  /** Trains to the end; null only when it failed before a model existed. */
  run(): Promise<TrainedModel | null>;
  pause(): void;
  resume(): void;
  /** While paused: one more optimizer step, then paused again. */
  step(): void;
  stop(): void;
  /** The GPU device was lost: end at once with outcome 'device-lost' (keeping the checkpoint). */
  interrupt(): void;
  readonly phase: RunPhase;
  /** The latest good checkpoint; null before the first. */
  readonly checkpoint: Checkpoint | null;
}

export function createTrainer(
  options: TrainerOptions,
  controls: RunControls = createRunControls(),
): Trainer {
  const { config, onEvent: emit } = options;
  let phase: RunPhase = 'idle';
  const setPhase = (next: RunPhase, message?: string) => {
    phase = next;
    emit(message === undefined ? { type: 'phase', phase } : { type: 'phase', phase, message });
  };
  /** The GPU device is lost: the loop ends at its next step, keeping the checkpoint. */
  let interrupted = false;
  let session: Session | null = null;

  async function run(): Promise<TrainedModel | null> {
    setPhase('preparing');
    const refused = refusal(options);
    if (refused) return fail(null, refused);
    let s: Session;
    try {
      s = createSession(options, {
        controls,
        phase: () => phase,
        setPhase,
        interrupted: () => interrupted,
      });
    } catch (error) {
      // A backbone of another architecture, say: nothing was trained.
      return fail(null, errorMessage(error));
    }
    session = s;
    try {
      // In a race, warm-ups take turns too: the tuner's timings and the error scopes of one
      // racer's warm-up never see another's work.
      await options.raceSeat?.turn(s.step / s.totalSteps);
      await warmUp(s);
      let end: EpochEnd = 'ok';
      while (s.epoch < config.epochs) {
        s.startNextEpoch();
        end = await trainEpoch(s);
        if (end === 'ok') {
          // The epoch's last losses and its evaluation are read before its checkpoint is kept:
          // a checkpoint is never a diverged model.
          const bad = (await s.readback.read()) ?? (await evaluateEpoch(s));
          if (bad) end = rewind(s, bad);
          else await keepCheckpoint(s);
        }
        if (end === 'rewind') continue; // s.epoch is the checkpoint's: train the next one again
        if (end !== 'ok') break;
      }

      if (interrupted) return trainedModel(s, 'device-lost');
      if (s.failure !== null) return fail(s, s.failure);
      if (end === 'stop') {
        setPhase('stopped');
        return trainedModel(s, 'stopped');
      }
      const bad = await s.readback.read();
      if (bad) return fail(s, `Training diverged at step ${bad.step} (loss ${bad.loss})`);
      // A stepsLimit that ended mid-epoch still gets an evaluation of the model as it is.
      if (s.evals.at(-1)?.step !== s.step) {
        const badEval = await evaluateEpoch(s);
        if (badEval) {
          return fail(
            s,
            `Training diverged at step ${badEval.step} (validation loss ${badEval.loss})`,
          );
        }
      }
      const result = trainedModel(s, 'finished');
      emit({ type: 'finished', warmupMs: result.warmupMs, finalTop1: result.finalTop1 });
      setPhase('finished');
      return result;
    } catch (error) {
      // Dropped before waiting on the device: a lost device may never answer for them.
      s.readback.discard();
      if (interrupted || (await deviceLostSoon())) return trainedModel(s, 'device-lost');
      return fail(s, errorMessage(error));
    } finally {
      s.readback.discard();
      s.optimizer.dispose();
      s.lossScaler?.dispose();
    }
  }

  /** device.lost may settle a moment after the failed GPU call that revealed the loss. */
  async function deviceLostSoon(): Promise<boolean> {
    if (!options.deviceLost) return false;
    for (let i = 0; i < 20 && !options.deviceLost(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return options.deviceLost();
  }

  function fail(s: Session | null, message: string): TrainedModel | null {
    emit({ type: 'error', message });
    setPhase('failed');
    return s && trainedModel(s, 'failed');
  }

  return {
    run,
    pause: () => controls.pause(),
    resume: () => controls.resume(),
    step: () => controls.step(),
    stop: () => controls.stop(),
    interrupt() {
      interrupted = true;
      controls.wake();
    },
    get phase() {
      return phase;
    },
    get checkpoint() {
      return session ? session.checkpoint : (options.resumeFrom ?? null);
    },
  };
}
