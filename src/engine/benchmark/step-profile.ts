import * as tf from '@tensorflow/tfjs-core';
import { kernelTimes, type StepProfile } from '../../benchmark-report/step-profile';
import { backendDevice } from '../kernels/dispatch';

/**
 * Where one training step's GPU time goes: every dispatch of the step, tfjs's and ours, timed by
 * GPU timestamps. While the profile runs, WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE is 1, so that tfjs and
 * dispatch.ts end their compute pass after each dispatch, and every compute pass begun without
 * timestamp writes of its own gets a pair in our query set. The step is slower while profiled
 * (one submit per dispatch); the timestamps measure only the GPU's work, which is what the profile
 * reports. Needs `timestamp-query`: without it, null.
 */

/** Passes timed at most: twice as many timestamps fit the default query-set limit (4096). */
const MAX_PASSES = 2048;

interface Patched {
  restore(): void;
  /** Per timed pass: the label of the pipeline it ran, and its dispatches. */
  passes: { label: string; dispatches: number }[];
}

interface PassPrototypes {
  encoder: { beginComputePass(descriptor?: GPUComputePassDescriptor): GPUComputePassEncoder };
  pass: {
    setPipeline(pipeline: GPUComputePipeline): void;
    dispatchWorkgroups(...args: number[]): void;
  };
}

function prototypes(): PassPrototypes | null {
  const g = globalThis as {
    GPUCommandEncoder?: { prototype: PassPrototypes['encoder'] };
    GPUComputePassEncoder?: { prototype: PassPrototypes['pass'] };
  };
  if (!g.GPUCommandEncoder || !g.GPUComputePassEncoder) return null;
  return { encoder: g.GPUCommandEncoder.prototype, pass: g.GPUComputePassEncoder.prototype };
}

/** Adds our timestamp writes to every compute pass begun without any, until MAX_PASSES. */
function timeEveryPass(querySet: GPUQuerySet, protos: PassPrototypes): Patched {
  const { encoder, pass } = protos;
  const begin = encoder.beginComputePass;
  const setPipeline = pass.setPipeline;
  const dispatch = pass.dispatchWorkgroups;
  const passes: Patched['passes'] = [];
  const indexOf = new WeakMap<object, number>();
  encoder.beginComputePass = function (this: unknown, descriptor?: GPUComputePassDescriptor) {
    if (descriptor?.timestampWrites || passes.length >= MAX_PASSES) {
      return begin.call(this, descriptor);
    }
    const index = passes.length;
    passes.push({ label: '', dispatches: 0 });
    const timed = begin.call(this, {
      ...descriptor,
      timestampWrites: {
        querySet,
        beginningOfPassWriteIndex: 2 * index,
        endOfPassWriteIndex: 2 * index + 1,
      },
    });
    indexOf.set(timed, index);
    return timed;
  };
  pass.setPipeline = function (this: object, pipeline: GPUComputePipeline) {
    const index = indexOf.get(this);
    if (index !== undefined) {
      const entry = passes[index]!;
      const label = pipeline.label || 'unlabelled kernel';
      entry.label = entry.label && entry.label !== label ? 'several kernels in one pass' : label;
    }
    return setPipeline.call(this, pipeline);
  };
  pass.dispatchWorkgroups = function (this: object, ...args: number[]) {
    const index = indexOf.get(this);
    if (index !== undefined) passes[index]!.dispatches++;
    return dispatch.apply(this, args);
  };
  return {
    passes,
    restore() {
      encoder.beginComputePass = begin;
      pass.setPipeline = setPipeline;
      pass.dispatchWorkgroups = dispatch;
    },
  };
}

/** The timestamps of the first `count` query pairs, as [begin, end] nanoseconds. */
async function readTimestamps(device: GPUDevice, querySet: GPUQuerySet, count: number) {
  const bytes = Math.max(count, 1) * 16;
  const resolved = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const staging = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder();
    if (count > 0) encoder.resolveQuerySet(querySet, 0, 2 * count, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new BigUint64Array(staging.getMappedRange().slice(0));
  } finally {
    resolved.destroy();
    staging.destroy();
  }
}

/**
 * Runs `step` (one training step and its loss readback) with every dispatch timed; `stepMs` is
 * the step's own duration outside the profile, which the report compares the GPU time with.
 */
export async function profileStep(
  step: () => Promise<void>,
  stepMs: number,
): Promise<StepProfile | null> {
  const device = backendDevice();
  const protos = prototypes();
  if (!device.features.has('timestamp-query') || !protos) return null;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * MAX_PASSES });
  const batchSize = tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
  await device.queue.onSubmittedWorkDone();
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 1);
  const patched = timeEveryPass(querySet, protos);
  try {
    await step();
  } finally {
    patched.restore();
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', batchSize);
  }
  try {
    const stamps = await readTimestamps(device, querySet, patched.passes.length);
    const timed = patched.passes.map((p, i) => ({
      label: p.label,
      dispatches: p.dispatches,
      ms: Number(stamps[2 * i + 1]! - stamps[2 * i]!) / 1e6,
    }));
    return kernelTimes(timed, stepMs);
  } finally {
    querySet.destroy();
  }
}
