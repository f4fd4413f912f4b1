import type { ExperimentConfig } from '../config/params';
import {
  divergenceCause,
  formatDivergedLoss,
  type DivergenceMark,
} from '../experiments/divergence';
import type { Progress, RunPhase, TrainerEvent } from '../run/events';
import type { RunControls } from './controls';

/** Where a loss diverged (NaN, Inf or exploded). */
export interface BadLoss {
  step: number;
  loss: number;
  lr: number;
  /** The validation loss diverged, not a training loss. */
  validation?: boolean;
}

/** A point the run can go back to; the weights it holds are the `restore` callback's business. */
export interface RewindPoint {
  step: number;
  epoch: number;
}

/** The part of a training run that a rewind changes. */
export interface Rewindable<C extends RewindPoint> {
  readonly config: ExperimentConfig;
  readonly stepsPerEpoch: number;
  /** Optimizer steps done, and the current epoch: `restore` puts both back to the checkpoint's. */
  readonly step: number;
  readonly epoch: number;
  /** The last good checkpoint. */
  readonly checkpoint: C | null;
  /** Why the run must fail; set when there is no checkpoint to go back to. */
  failure: string | null;
  readonly controls: RunControls;
  emit(event: TrainerEvent): void;
  setPhase(phase: RunPhase, message?: string): void;
  /** The progress report at the current step. */
  progress(): Progress;
  /**
   * Drops the losses still queued and puts the model, the optimizer and the step and epoch back at
   * `checkpoint`.
   */
  restore(checkpoint: C): void;
}

/**
 * A diverged loss: names the likely cause, goes back to the last good checkpoint and pauses there,
 * so that Resume trains on from it (the same epoch streams: it may diverge again) and Stop ends
 * the run. 'rewind' then; 'stop' with `failure` set when no checkpoint was kept.
 */
export function rewind<C extends RewindPoint>(run: Rewindable<C>, bad: BadLoss): 'rewind' | 'stop' {
  const checkpoint = run.checkpoint;
  if (!checkpoint) {
    run.failure = `Training diverged at step ${bad.step} (loss ${bad.loss}) and no checkpoint was kept`;
    return 'stop';
  }
  const cause = divergenceCause({ config: run.config, stepsPerEpoch: run.stepsPerEpoch, ...bad });
  const mark: DivergenceMark = {
    step: bad.step,
    loss: formatDivergedLoss(bad.loss),
    ...(bad.validation ? { validation: true } : {}),
    cause,
    restoredStep: checkpoint.step,
  };
  run.restore(checkpoint);
  run.emit({ type: 'diverged', mark });
  run.emit({ type: 'progress', progress: run.progress() });
  run.controls.hold();
  const what = bad.validation ? 'validation loss' : 'loss';
  run.setPhase(
    'paused',
    `Training diverged at step ${bad.step} (${what} ${mark.loss}): ${cause}. The model is back at its checkpoint of step ${checkpoint.step}; Resume continues from there, Stop ends the run.`,
  );
  return 'rewind';
}
