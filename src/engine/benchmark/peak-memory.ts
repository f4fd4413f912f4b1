import * as tf from '@tensorflow/tfjs-core';

/**
 * The most GPU memory in use at any moment of a stretch of work (the benchmark's peakGpuBytes),
 * not only after it. Benchmark-only.
 *
 * What is counted: on WebGPU, the backend's bytes in buffers in use (tf.memory().numBytesInGPU:
 * every live tensor's buffer, counted once however many tensors share it, plus the buffers of
 * tensors disposed while their dispatches wait to be submitted, which cannot be reused yet);
 * elsewhere tfjs's byte count of live tensors. Usage only grows when a kernel allocates its
 * output, so it is sampled each time tfjs registers a new tensor (tfjs's kernels and ours alike:
 * both go through the engine's trackTensor), which catches every peak.
 *
 * Why not tf.profile's peakBytes: it samples only after tfjs's own kernels (not ours), counts a
 * tensor and its clones or reshapes once each (the saved tensors of a backward pass are clones),
 * and profiles every kernel (timing queries and readbacks), which changes what it measures.
 */

interface TrackingEngine {
  trackTensor(this: unknown, ...args: unknown[]): void;
}

const inUseBytes = (): number => {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return memory.numBytesInGPU ?? memory.numBytes;
};

let installed = false;

/** Starts tracking; stop() restores tfjs and returns the peak in bytes. */
export function trackPeakGpuBytes(): { stop(): number } {
  if (installed) throw new Error('trackPeakGpuBytes: already tracking');
  const engine = tf.engine() as unknown as TrackingEngine;
  const original = engine.trackTensor;
  let peak = inUseBytes();
  installed = true;
  engine.trackTensor = function (this: unknown, ...args: unknown[]) {
    original.apply(this, args);
    peak = Math.max(peak, inUseBytes());
  };
  return {
    stop() {
      engine.trackTensor = original;
      installed = false;
      return Math.max(peak, inUseBytes());
    },
  };
}
