import * as tf from '@tensorflow/tfjs-core';
import { isDivergedLoss } from '../../experiments/divergence';
import type { BadLoss } from '../../run-control/rewind';
import type { EventSink, Progress, TrainPoint } from '../../run/events';

import { READBACK_MS, READBACK_STEPS } from '../../run-control/readback-interval';

/**
 * The losses of queued steps, kept on the GPU and read back together, one read per READBACK_STEPS
 * steps or READBACK_MS (src/run-control/readback-interval.ts says why).
 */

export interface PendingLoss {
  loss: tf.Scalar;
  /** FP16 runs: [loss scale used, updates skipped so far]. */
  lossScale: tf.Tensor1D | null;
  point: Omit<TrainPoint, 'loss'>;
}

export interface LossReadback {
  /** Queues a step's loss (the readback owns its tensors from now on). */
  push(pending: PendingLoss): void;
  /** READBACK_STEPS losses wait, or READBACK_MS have passed since the last read. */
  readonly due: boolean;
  /**
   * Reads every queued loss in one transfer and reports them ('train-points', then 'progress'),
   * up to the first diverged one (NaN, Inf or exploded), which it returns instead of reporting.
   * Throws, reporting nothing, when a GPU error has been raised (ReadbackOptions.gpuFault).
   */
  read(): Promise<BadLoss | null>;
  /** Drops the queued losses unread. */
  discard(): void;
}

export interface ReadbackOptions {
  classes: number;
  emit: EventSink;
  /** The progress report that follows each batch of points. */
  progress: () => Progress;
  /**
   * A GPU error since the run began, in words (faults/gpu-errors.ts), or null. Checked once the
   * values are read: a step whose command buffer the GPU rejected left garbage behind, which is
   * thrown, never reported as losses.
   */
  gpuFault?: () => Promise<string | null>;
  now?: () => number;
}

/** Disposes queued losses: the only place they are disposed, read or not. */
function release(batch: PendingLoss[]): void {
  for (const p of batch) tf.dispose([p.loss, p.lossScale ?? []]);
}

/** The losses, then the [scale, skipped] pairs of the FP16 steps among them: one transfer. */
async function readValues(batch: PendingLoss[]): Promise<Float32Array | Int32Array | Uint8Array> {
  const scales = batch.flatMap((p) => (p.lossScale ? [p.lossScale] : []));
  const all = tf.tidy(() => tf.concat([tf.stack(batch.map((p) => p.loss)), ...scales]));
  try {
    return await all.data();
  } finally {
    all.dispose();
  }
}

export function createLossReadback(options: ReadbackOptions): LossReadback {
  const { classes, emit } = options;
  const now = options.now ?? (() => performance.now());
  const pending: PendingLoss[] = [];
  let lastRead = now();

  return {
    push(p) {
      pending.push(p);
    },
    get due() {
      return pending.length >= READBACK_STEPS || now() - lastRead >= READBACK_MS;
    },
    async read() {
      if (pending.length === 0) return null;
      const batch = pending.splice(0);
      let values: Float32Array | Int32Array | Uint8Array;
      try {
        values = await readValues(batch);
      } finally {
        // Also when the read fails (a lost device).
        release(batch);
      }
      const fault = await options.gpuFault?.();
      if (fault) throw new Error(fault);
      lastRead = now();
      const points: TrainPoint[] = [];
      let scale = batch.length;
      for (let i = 0; i < batch.length; i++) {
        const { point, lossScale } = batch[i]!;
        const loss = values[i]!;
        if (isDivergedLoss(loss, classes)) {
          if (points.length > 0) emit({ type: 'train-points', points });
          return { step: point.step, loss, lr: point.lr };
        }
        const fp16 = lossScale ? { lossScale: values[scale]!, skipped: values[scale + 1]! } : {};
        if (lossScale) scale += 2;
        points.push({ ...point, loss, ...fp16 });
      }
      emit({ type: 'train-points', points });
      emit({ type: 'progress', progress: options.progress() });
      return null;
    },
    discard() {
      release(pending.splice(0));
    },
  };
}
