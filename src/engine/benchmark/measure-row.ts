import * as tf from '@tensorflow/tfjs-core';
import { READBACK_STEPS } from '../../run-control/readback-interval';
import {
  imagesPerSecond,
  median,
  type BenchRow,
  type BenchVariant,
} from '../../benchmark-report/report';
import { backendDevice } from '../kernels/dispatch';
import { specOf, type BenchModelConfig } from './bench-models';
import { countDispatches } from './dispatch-counter';
import { trackPeakGpuBytes } from './peak-memory';
import { profileStep } from './step-profile';
import type { SuiteOptions } from './suite-options';
import { benchBatches, engineTrainee, layersTrainee, type QueuedStep } from './trainees';

/** One row of the benchmark: a variant trained at one model and batch, timed and profiled. */

/**
 * Reads the queued steps' losses and loss scales back in one transfer (as the trainer does),
 * frees them, and waits until the GPU has finished everything queued: a timed window ends there,
 * never at the last submit. Returns the last FP16 step's [scale, skipped so far], if any.
 */
async function readBack(steps: QueuedStep[]): Promise<[number, number] | null> {
  const losses = steps.flatMap((s) => (s.loss ? [s.loss] : []));
  const scales = steps.flatMap((s) => (s.lossScale ? [s.lossScale] : []));
  try {
    if (losses.length + scales.length > 0) {
      const all = tf.tidy(() =>
        tf.concat([...(losses.length > 0 ? [tf.stack(losses)] : []), ...scales]),
      );
      try {
        const values = await all.data();
        if (scales.length > 0) return [values[values.length - 2]!, values[values.length - 1]!];
      } finally {
        all.dispose();
      }
    }
    return null;
  } finally {
    tf.dispose([...losses, ...scales]);
    await backendDevice().queue.onSubmittedWorkDone();
  }
}

const gpuBytes = () =>
  (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytesInGPU ?? 0;

export async function measureRow(
  name: BenchVariant,
  config: BenchModelConfig,
  batch: number,
  options: SuiteOptions,
): Promise<BenchRow> {
  const spec = specOf(config);
  const nextBatch = benchBatches(batch, config.input);
  const label = `${name} ${config.model} batch ${batch}`;
  const layers = name === 'tf.layers';
  const trainee = layers
    ? layersTrainee(spec, config.input, nextBatch)
    : engineTrainee(spec, config.input, nextBatch, name, options, label);
  // Steps: 1 (first), warm-up, the timed window as training runs (readback every
  // READBACK_STEPS), then (engine only) the timed window with a readback per step, then the
  // rest up to the leak check. Every step outside the first window reads back, so that each
  // window starts with an idle GPU.
  const firstTimed = 2 + options.warmupSteps;
  const lastAsync = firstTimed + options.timedSteps - 1;
  const lastSync = lastAsync + (layers ? 0 : options.timedSteps);
  const pending: QueuedStep[] = [];
  const syncStepMs: number[] = [];
  let asyncStart = 0;
  let asyncMs = 0;
  let firstStepMs = 0;
  let tensorsAt1 = 0;
  let gpuBytesAt1 = 0;
  let dispatches = 0;
  let peakGpuBytes = 0;
  let lossScale: [number, number] | null = null;
  try {
    for (let step = 1; step <= options.leakStep; step++) {
      options.signal?.throwIfAborted();
      if (step % 10 === 0 || step === 1) {
        options.onProgress?.(`${label}: step ${step}/${options.leakStep}`);
      }
      const inAsync = step >= firstTimed && step <= lastAsync;
      const counter = step === 2 ? countDispatches() : null;
      const peak = step === 2 ? trackPeakGpuBytes() : null;
      const start = performance.now();
      if (step === firstTimed) asyncStart = start;
      const queued = await trainee.step();
      // The step's own dispatches and memory: before any readback (a batched one stacks losses).
      if (counter) dispatches = counter.stop();
      if (peak) peakGpuBytes = peak.stop();
      pending.push(queued);
      if (inAsync) {
        if (pending.length >= READBACK_STEPS || step === lastAsync) {
          lossScale = (await readBack(pending.splice(0))) ?? lossScale;
        }
        if (step === lastAsync) asyncMs = performance.now() - asyncStart;
        continue;
      }
      lossScale = (await readBack(pending.splice(0))) ?? lossScale;
      const ms = performance.now() - start;
      if (step === 1) {
        firstStepMs = ms;
        tensorsAt1 = tf.memory().numTensors;
        gpuBytesAt1 = gpuBytes();
      }
      if (step > lastAsync && step <= lastSync) syncStepMs.push(ms);
    }
    const imgPerSec =
      asyncMs > 0 ? (batch * options.timedSteps * 1000) / asyncMs : Number.POSITIVE_INFINITY;
    const tensorsAtLeakStep = tf.memory().numTensors;
    const gpuBytesAtLeakStep = gpuBytes();
    // One more step, outside every other figure, with each dispatch timed on the GPU.
    const stepProfile = layers
      ? null
      : await profileStep(
          async () => void (await readBack([await trainee.step()])),
          median(syncStepMs),
        );
    return {
      name,
      model: config.model,
      batch,
      kernels: layers ? 'tfjs' : (options.kernels ?? 'auto'),
      imgPerSec,
      imgPerSecSync: layers ? imgPerSec : median(imagesPerSecond(batch, syncStepMs)),
      firstStepMs,
      firstStepTuning: trainee.tuning.status,
      firstStepTuningMs: trainee.tuning.ms,
      tensorsAt1,
      tensorsAtLeakStep,
      gpuBytesAt1,
      gpuBytesAtLeakStep,
      peakGpuBytes,
      dispatchesPerStep: dispatches,
      lossScale: lossScale ? lossScale[0] : null,
      skippedSteps: lossScale ? lossScale[1] : null,
      stepProfile,
    };
  } finally {
    for (const q of pending) tf.dispose([q.loss ?? [], q.lossScale ?? []]);
    trainee.dispose();
  }
}
