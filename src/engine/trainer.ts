import type { AdapterIdentity } from '../tuning-plan/plan';
import type { ExperimentConfig } from '../config/params';
import type { ImageDataset } from '../data/dataset';
import { errorMessage } from '../errors';
import type { LossScaleOptions } from '../tricks';
import { createRunControls, type RunControls } from '../run-control/controls';
import { rewind } from '../run-control/rewind';
import type { EvalResult, EventSink, RunPhase } from '../run/events';
import type { TuningCacheStore } from './autotune/tuner';
import type { Checkpoint } from '../run/events';
import type { PackedPrecision } from './heavy-ops';
import type { ResNetModel } from './model';
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

export { READBACK_MS, READBACK_STEPS } from './training/readback';
export { YIELD_MS } from './training/epoch';

export type RunOutcome = 'finished' | 'stopped' | 'failed' | 'device-lost';

/** The result of a run; its model can serve as a distillation teacher. */
export interface TrainedModel {
  config: ExperimentConfig;
  classes: number;
  model: ResNetModel;
  outcome: RunOutcome;
  evals: EvalResult[];
  finalTop1: number | null;
  warmupMs: number;
  /** Optimizer steps done. */
  steps: number;
  dispose(): void;
}

export interface TrainerOptions {
  config: ExperimentConfig;
  dataset: ImageDataset;
  /** Distillation teacher (required when config.distill is set). */
  teacher?: TrainedModel | null;
  onEvent: EventSink;
  /** Tests and benchmarks: end training after this many steps (then evaluate and finish). */
  stepsLimit?: number;
  /** FP16 runs: overrides of the dynamic loss scale (tests force overflows with a huge start). */
  lossScale?: Partial<LossScaleOptions>;
  /**
   * FP16 runs: force the arithmetic of the packed f16 storage (default: 'packed-f16' when the
   * device has shader-f16, else 'packed-f32').
   */
  fp16Precision?: PackedPrecision;
  /** The adapter, which keys the kernel tuning cache (default: an anonymous one). */
  adapter?: AdapterIdentity;
  /** Where tuned kernel choices persist between runs; none: tune every run. */
  tuningCache?: TuningCacheStore | null;
  /** Continue from this checkpoint (an epoch boundary) instead of fresh weights. */
  resumeFrom?: Checkpoint | null;
  /** Called with every new good checkpoint (the start and each epoch's end). */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** True once the GPU device is lost: errors then end the run as 'device-lost', not 'failed'. */
  deviceLost?: () => boolean;
}

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
    const s = createSession(options, {
      controls,
      phase: () => phase,
      setPhase,
      interrupted: () => interrupted,
    });
    session = s;
    try {
      await warmUp(s);
      let end: EpochEnd = 'ok';
      for (s.epoch++; s.epoch <= config.epochs; s.epoch++) {
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
        s.epoch = Math.min(s.epoch, config.epochs);
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
