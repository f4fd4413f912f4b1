import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { allConvBns, convLayerInputs, type ResNetSpec } from '../architecture';
import { fcArithmetic, phaseConvShape, storageGeometry, type HeavyOps } from './heavy-ops';
import { SPACE_TO_BATCH_SHADERS } from './kernels/space-to-batch';
import { BILINEAR_UPSAMPLE_SHADERS } from './kernels/bilinear-upsample';
import { F32, type Storage } from '../config/number-format';
import type { ConvGeometry } from './kernels/conv-geometry';
import { compilePipelinesAhead, type CompileFailure, type ShaderSource } from './kernels/dispatch';
import { matMulShaders } from './kernels/f16-kernels';
import { trainingBnShaders } from './kernels/fused-bn';
import {
  FUSED_NAG_LOSS_SCALED_SHADER,
  FUSED_NAG_SHADERS,
  fusedNagInPlaceShaders,
} from './kernels/fused-nag';
import { FUSED_RESIDUAL_SHADERS } from './kernels/fused-residual';
import { RUNNING_STATS_SHADERS, runningStatsInPlaceShaders } from './kernels/running-stats';
import { COLOR_NORMALIZE_SHADERS } from './kernels/color-normalize';
import { FUSED_CROSS_ENTROPY_SHADERS } from './kernels/fused-cross-entropy';
import { GRADIENT_CHECK_SHADER } from './fp16/gradient-check';
import { packedShaders } from './packed';

/**
 * Our own shaders a training step of `spec` at this input size and batch runs, known before the
 * first step: the kernels `ops` chooses for every convolution op (they depend on the exact shape
 * once tuned), fused BN+ReLU, the fused residual, the fused NAG update and the update of the BN
 * running statistics (in place, and each one's out-of-place fallback), and in FP16 runs the GEMM kernels of the FC layer (in f32 that is a stock
 * tfjs op, compiled by compileTfjsShadersAhead) and, with packed f16 storage, the packed layout's
 * own kernels.
 */
export function trainingShaders(
  spec: ResNetSpec,
  ops: HeavyOps,
  input: number,
  batch: number,
): ShaderSource[] {
  const shaders: ShaderSource[] = [
    ...trainingBnShaders('f32'),
    ...FUSED_RESIDUAL_SHADERS,
    ...FUSED_NAG_SHADERS,
    ...fusedNagInPlaceShaders(false),
    ...RUNNING_STATS_SHADERS,
    ...runningStatsInPlaceShaders(),
    ...COLOR_NORMALIZE_SHADERS,
    ...FUSED_CROSS_ENTROPY_SHADERS,
  ];
  if (ops.format.storage === 'f16') shaders.push(...packedShaders());
  if (allConvBns(spec).some((cb) => cb.conv.dilation > 1)) shaders.push(...SPACE_TO_BATCH_SHADERS);
  if (spec.head) shaders.push(...BILINEAR_UPSAMPLE_SHADERS);
  // FP16: the loss scaler's check of the gradients (fp16/gradient-check.ts, one shader for any
  // number of tensors) and the NAG update that unscales them and can be skipped.
  if (ops.format !== F32) {
    shaders.push(GRADIENT_CHECK_SHADER, FUSED_NAG_LOSS_SCALED_SHADER);
    shaders.push(...fusedNagInPlaceShaders(true));
  }
  const fc = fcArithmetic(ops.format);
  if (fc) shaders.push(...matMulShaders(fc));
  if (!ops.kernels) return shaders;
  for (const g of convGeometries(spec, input, batch, ops.format.storage)) {
    shaders.push(...ops.kernels.shaders(g));
  }
  shaders.push(...evaluationShaders(spec, ops, input, batch));
  return shaders;
}

/**
 * With f16 storage, evaluation runs other kernels (f32 storage, forward only): compiled ahead
 * too, so the first evaluation does not stall. Their shaders do not depend on the batch.
 */
function evaluationShaders(
  spec: ResNetSpec,
  ops: HeavyOps,
  input: number,
  batch: number,
): ShaderSource[] {
  const evaluation = ops.f32Storage;
  const kernels = evaluation?.kernels;
  if (!evaluation || !kernels) return [];
  return convGeometries(spec, input, batch).flatMap((g) =>
    kernels.choose('forward', g).shaders('forward', g, evaluation.format),
  );
}

/**
 * The geometry of every conv layer of `spec` as our kernels run it with activations stored as
 * `storage` (RGB stem padded to 4 where that helps, and always when packed).
 */
export function convGeometries(
  spec: ResNetSpec,
  input: number,
  batch: number,
  storage: Storage = 'f32',
): ConvGeometry[] {
  return convLayerInputs(spec, input).map(({ conv, inputSize }) => {
    const xShape = [batch, inputSize, inputSize, conv.inChannels];
    // A dilated convolution runs as the ordinary one on its input's phases (heavy-ops.ts).
    const run =
      conv.dilation === 1
        ? { xShape, pad: conv.pad }
        : phaseConvShape(xShape, conv.pad, conv.dilation);
    return storageGeometry(
      storage,
      run.xShape,
      [conv.kernel, conv.kernel, conv.inChannels, conv.outChannels],
      conv.stride,
      run.pad,
    );
  });
}

/**
 * Compiles the shaders of trainingShaders ahead of the first step, in parallel (WebGPU only;
 * elsewhere there is nothing to compile). Progress is (done, total) over the shaders not yet built.
 * Returns the pipelines the compiler rejected (none elsewhere).
 */
export async function compileTrainingShaders(
  spec: ResNetSpec,
  ops: HeavyOps,
  input: number,
  batch: number,
  onProgress?: (done: number, total: number) => void,
): Promise<CompileFailure[]> {
  if (tf.getBackend() !== 'webgpu') return [];
  return compilePipelinesAhead(trainingShaders(spec, ops, input, batch), onProgress);
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
