import * as tf from '@tensorflow/tfjs-core';
import { isDivergedLoss } from '../../experiments/divergence';
import { epochStreams, learningRateAt } from '../../tricks';
import { rewind, type BadLoss } from '../../run-control/rewind';
import type { EvalResult } from '../../run/events';
import { evaluate } from '../evaluate';
import { describeGpuFault, raiseFailpointGpuError, withErrorScopes } from '../faults/gpu-errors';
import { trainStepWithStats, type StepBatch, type StepResult } from '../step';
import { batchOf } from './batches';
import { stepRange } from '../../run-control/epoch-plan';
import { gpuFaultMessage, type Session } from './session';
import { endWarmUp } from './warm-up';

/**
 * How an epoch's steps ended: 'ok' all done; 'rewind' a divergence sent the run back to its
 * checkpoint (`s.epoch` is the checkpoint's); 'stop' stopped, interrupted, or failed to rewind;
 * 'limit' `stepsLimit` reached (tests and benchmarks): the run ends and evaluates as it is.
 */
export type EpochEnd = 'ok' | 'rewind' | 'stop' | 'limit';

/** The longest the loop queues steps without letting messages (pause, stop) in. */
export const YIELD_MS = 50;

/** Trains the steps of epoch `s.epoch`; its evaluation and checkpoint follow in run(). */
export async function trainEpoch(s: Session): Promise<EpochEnd> {
  const { config } = s;
  const streams = epochStreams(config.seed, s.epoch);
  const order = streams.shuffle.permutation(s.dataset.train.count);
  // A resumed epoch starts at its beginning: checkpoints lie on epoch boundaries.
  s.imagesSeen = 0;
  for (let i = 0; i < s.stepsPerEpoch; i++) {
    if (s.step >= s.totalSteps) return 'limit';
    const next = await gate(s);
    if (next !== 'go') return next;
    if (s.options.raceSeat) {
      await s.options.raceSeat.turn(s.step / s.totalSteps);
      if (s.controls.stopped || s.interrupted()) return 'stop';
    }
    // The last batch holds the remainder: every image once per epoch (run-control/epoch-plan.ts).
    const indices = order.subarray(...stepRange(i, s.dataset.train.count, config.batch));
    const lr = learningRateAt(s.schedule, s.step);
    // Queues the step's GPU work and returns: its loss stays on the GPU until a readback.
    const { loss, lossScale } = await queueStep(s, batchOf(s, indices, streams), lr);
    s.countStep();
    s.options.raceSeat?.queued(s.step / s.totalSteps);
    s.imagesSeen += indices.length;
    s.readback.push({ loss, lossScale, point: { step: s.step, epoch: s.epoch, lr } });
    // The first step's readback measures warm-up; a paused run shows every step it took.
    const first = s.warmupMs === null;
    const bad = first || s.controls.paused || s.readback.due ? await s.readback.read() : null;
    if (first) endWarmUp(s, bad);
    if (bad) return rewind(s, bad);
  }
  return 'ok';
}

/** One step's GPU work, queued; the first steps of a run (SCOPED_STEPS) wait for the GPU's verdict. */
async function queueStep(s: Session, batch: StepBatch, lr: number): Promise<StepResult> {
  const step = s.step + 1;
  const queue = () => {
    raiseFailpointGpuError(step);
    return trainStepWithStats(s.ctx, batch, lr);
  };
  if (s.scopedSteps <= 0) return queue();
  s.scopedSteps--;
  const { result, fault } = await withErrorScopes(queue);
  if (!fault) return result;
  tf.dispose([result.loss, result.lossScale ?? []]);
  throw new Error(gpuFaultMessage(s, describeGpuFault(fault, `running training step ${step}`)));
}

/**
 * Evaluates on the validation set; a diverged validation loss is returned, not reported (the
 * caller rewinds). It reads every prediction back: a sync point, once per epoch.
 */
export async function evaluateEpoch(s: Session): Promise<BadLoss | null> {
  const { dataset, config } = s;
  const metrics = await evaluate(s.model, dataset.val, dataset.height, dataset.width, config.batch);
  if (isDivergedLoss(metrics.valLoss, s.classes)) {
    const lr = learningRateAt(s.schedule, s.step - 1);
    return { step: s.step, loss: metrics.valLoss, lr, validation: true };
  }
  const result: EvalResult = { epoch: s.epoch, step: s.step, imagesSeen: s.imagesSeen, ...metrics };
  s.evals.push(result);
  s.finalTop1 = metrics.top1;
  s.emit({ type: 'eval', result });
  // Images/s counts training only.
  s.meter.restart(s.step);
  return null;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Before each step: waits while paused (after reading back the queued losses, so that the paused
 * curve is complete; they may hold a divergence, which rewinds instead), honours single steps and
 * stop. Queuing GPU work never yields to the event loop by itself, so it yields every YIELD_MS:
 * that is when pause and stop get in.
 */
async function gate(s: Session): Promise<'go' | 'stop' | 'rewind'> {
  const { controls } = s;
  if (controls.holding) {
    const bad = await s.readback.read();
    if (bad) return rewind(s, bad);
    if (s.phase !== 'paused') s.setPhase('paused');
    s.meter.pauseStarted();
    while (controls.holding && !s.interrupted()) await controls.changed();
    s.meter.pauseEnded();
    if (!controls.paused && !controls.stopped) s.setPhase('training');
  }
  if (controls.stopped || s.interrupted()) return 'stop';
  // An error the device raised since the last step: its command buffer was dropped.
  const fault = s.gpuFault();
  if (fault) {
    s.failure = fault;
    return 'stop';
  }
  controls.takeStep();
  if (performance.now() - s.lastYield > YIELD_MS) {
    await nextTask();
    s.lastYield = performance.now();
  }
  return controls.stopped || s.interrupted() ? 'stop' : 'go';
}
