import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { allConvBns, type ResNetSpec } from '../architecture';
import type { HeavyOps } from './fp16/ops';
import { convGeometry } from './kernels/conv-geometry';
import { directConvApplies, directConvShaders, paddedChannels } from './kernels/direct-conv';
import { compilePipelinesAhead, type ShaderSource } from './kernels/dispatch';
import { convGemmShaders, matMulShaders } from './kernels/f16-kernels';
import { FUSED_BN_SHADERS } from './kernels/fused-bn';
import { FUSED_NAG_WGSL } from './kernels/fused-nag';
import { FUSED_RESIDUAL_SHADERS } from './kernels/fused-residual';

/**
 * Our own shaders a training step of `spec` runs, known before the first step: the direct
 * convolutions of every conv layer (in the precision of `ops`), fused BN+ReLU, the fused residual
 * and the fused NAG update; in FP16 runs also the GEMM kernels of the FC layer and of convolutions
 * whose channels are not multiples of 4 (in f32 those are stock tfjs ops, compiled by
 * compileTfjsShadersAhead).
 */
export function trainingShaders(spec: ResNetSpec, ops: HeavyOps): ShaderSource[] {
  const shaders: ShaderSource[] = [
    ...FUSED_BN_SHADERS,
    ...FUSED_RESIDUAL_SHADERS,
    { code: FUSED_NAG_WGSL, label: 'fused-nag' },
  ];
  const f16 = ops.precision === 'f32' ? null : ops.precision;
  if (f16) shaders.push(...matMulShaders(f16));
  for (const { conv } of allConvBns(spec)) {
    // The same rule as fp16/ops.ts: an RGB stem is padded to 4 channels.
    const inChannels = paddedChannels(conv.inChannels);
    const direct = directConvApplies(inChannels, conv.outChannels);
    // The shaders depend on channels, kernel, stride and padding only, not on the image size.
    const g = convGeometry(
      [1, conv.kernel, conv.kernel, inChannels],
      [conv.kernel, conv.kernel, inChannels, conv.outChannels],
      conv.stride,
      conv.pad,
    );
    if (direct) shaders.push(...directConvShaders(g, ops.precision));
    else if (f16) shaders.push(...convGemmShaders(g, f16));
  }
  return shaders;
}

/**
 * Compiles the shaders of trainingShaders ahead of the first step, in parallel (WebGPU only;
 * elsewhere there is nothing to compile). Progress is (done, total) over the shaders not yet built.
 */
export async function compileTrainingShaders(
  spec: ResNetSpec,
  ops: HeavyOps,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  await compilePipelinesAhead(trainingShaders(spec, ops), onProgress);
}

/**
 * Compiles TensorFlow.js's own pipelines for what `dryRun` does, in parallel, without running
 * anything: tfjs's compile-only mode (WEBGPU_ENGINE_COMPILE_ONLY) records no dispatch and creates
 * each pipeline with createComputePipelineAsync; our kernels skip their dispatch too. Whatever
 * `dryRun` computes is garbage: it must not assign to variables or read values back.
 */
export async function compileTfjsShadersAhead(dryRun: () => void): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  const done = compileOnlyPass(dryRun);
  pending = done.catch(() => {});
  await done;
}

/** The compile-only pass in progress, if any (settled when it is over). */
let pending: Promise<void> = Promise.resolve();

/**
 * Resolves once no compile-only pass is pending: until then tfjs's pipeline cache may hold
 * promises, and any other tfjs work on the same shaders (e.g. the augmentation preview) throws.
 */
export function compileAheadSettled(): Promise<void> {
  return pending;
}

async function compileOnlyPass(dryRun: () => void): Promise<void> {
  const backend = tf.backend() as WebGPUBackend;
  const cpuForward = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  // Small ops on CPU-resident inputs would run on the CPU and read values nobody wrote.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  try {
    dryRun();
  } finally {
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
    tf.env().set('WEBGPU_CPU_FORWARD', cpuForward);
    // Until this resolves tfjs's pipeline cache holds promises that a real dispatch rejects.
    await backend.checkCompileCompletionAsync();
  }
}
