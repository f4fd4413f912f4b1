import type { ShaderSource } from '../kernels/dispatch';
import { packedBnShaders } from './batch-norm';
import { ELEMENTWISE_SHADERS } from './elementwise';
import { PACK_SHADERS } from './pack';
import { PACKED_POOL_SHADERS } from './pooling';

/**
 * The packed f16 storage kernels (layout.ts states the layout and its invariants): one import
 * for the engine.
 */
export { installPackedGradientAccumulation } from './accumulate';
export { batchNormTrainPacked, type PackedBatchNormResult } from './batch-norm';
export { packedShape, packedWords, unpackedShape } from './layout';
export { addPacked, residualReluPacked } from './elementwise';
export { fromPacked, packChannels, toPacked, unpackChannels } from './pack';
export { avgPool2x2CeilPacked, globalAvgPoolPacked, maxPool3x3s2Packed } from './pooling';
export { isPacked, markPacked } from './registry';

/** Every shader of the packed kernels on the active device, to compile ahead (precompile.ts). */
export function packedShaders(): ShaderSource[] {
  return [...PACK_SHADERS, ...ELEMENTWISE_SHADERS, ...packedBnShaders(), ...PACKED_POOL_SHADERS];
}
