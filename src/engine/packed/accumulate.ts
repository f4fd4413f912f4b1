import * as tf from '@tensorflow/tfjs-core';
import { recordProgram } from '../kernels/dispatch';
import { ADD } from './elementwise';
import { elementGrid } from './pack';
import { isPacked, markPacked } from './registry';

/**
 * tfjs's tape sums the gradients of a tensor with several consumers (a residual block's input
 * feeds path A and the shortcut) with ENGINE.runKernel('Add'). On packed gradients a float add of
 * the words is wrong, so the WebGPU backend's 'Add' is re-registered: two packed inputs get the
 * packed add (unpack, add in f32, pack; output marked), anything else runs the original kernel
 * unchanged. One packed and one f32 input is a bug (layout.ts) and throws rather than compute
 * garbage. The check costs two WeakSet lookups per Add.
 */

const BACKEND = 'webgpu';
let installed = false;

/** Idempotent; call once after the WebGPU backend is ready, before the first packed step. */
export function installPackedGradientAccumulation(): void {
  if (installed) return;
  const original = tf.getKernel('Add', BACKEND);
  if (!original)
    throw new Error(`installPackedGradientAccumulation: no 'Add' kernel on ${BACKEND}`);
  const delegate = original.kernelFunc;
  tf.unregisterKernel('Add', BACKEND);
  tf.registerKernel({
    ...original,
    kernelFunc: (params) => {
      const { a, b } = params.inputs;
      const packedA = a !== undefined && isPacked(a);
      const packedB = b !== undefined && isPacked(b);
      if (!packedA && !packedB) return delegate(params);
      if (!a || !b || packedA !== packedB) {
        throw new Error(
          "'Add' of a packed and an f32 tensor: tfjs must not compute on packed data",
        );
      }
      if (!tf.util.arraysEqual(a.shape, b.shape)) {
        throw new Error(`packed 'Add': shapes differ (${a.shape} vs ${b.shape}), no broadcasting`);
      }
      const words = tf.util.sizeFromShape(a.shape);
      const [sum] = recordProgram(
        { ...ADD, uniforms: [words], grid: elementGrid(words) },
        [a, b],
        [a.shape],
      );
      return markPacked(sum!);
    },
  });
  installed = true;
}
