import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * Runs our own compute pipelines inside TensorFlow.js's WebGPU command stream.
 *
 * tfjs's runWebGPUProgram prepends its own declarations to every shader, so a shader of ours that
 * needs `enable f16;` (a directive that must come first) cannot go through it. Instead we record
 * our dispatch into the backend's open compute pass exactly as its recordAndSubmit does: inputs
 * and outputs are ordinary tfjs tensors whose buffers come from tfjs's pool, so ordering with the
 * surrounding tfjs ops, deferred disposal and memory accounting all stay tfjs's.
 *
 * This touches backend fields that are not in tfjs's public typings; they are named in one place
 * (BackendInternals) and checked at first use, so an incompatible tfjs fails loudly.
 */

interface TensorData {
  resource: GPUBuffer | GPUTexture | null;
  dtype: tf.DataType;
}

interface BackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): TensorData | undefined };
  commandQueueOwnedIds: WeakSet<object>;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Writes a uniform buffer that tfjs releases after the next submit. */
  makeUniforms(fields: { type: 'uint32' | 'float32'; data: number[] }[]): GPUBufferBinding;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function internals(): BackendInternals {
  if (tf.getBackend() !== 'webgpu') {
    throw new Error(`our WGSL kernels need the WebGPU backend (active: ${tf.getBackend()})`);
  }
  const b = tf.backend() as unknown as BackendInternals;
  const needed: (keyof BackendInternals)[] = [
    'device',
    'tensorMap',
    'uploadToGPU',
    'makeTensorInfo',
    'makeUniforms',
    'ensureCommandEncoderReady',
    'endComputePassEncoder',
    'submitQueue',
  ];
  for (const key of needed) {
    if (b[key] === undefined) {
      throw new Error(
        `tfjs WebGPU backend lacks '${key}': our kernels need tfjs-backend-webgpu 4.x`,
      );
    }
  }
  return b;
}

/** The GPUDevice of the active tfjs WebGPU backend (backend.ts's webgpuDevice() may be null). */
export function backendDevice(): GPUDevice {
  return internals().device;
}

/** True when the active backend's device was created with the 'shader-f16' feature. */
export function deviceHasShaderF16(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  return (tf.backend() as WebGPUBackend).device.features.has('shader-f16');
}

function pipelineCacheOf(device: GPUDevice): Map<string, GPUComputePipeline> {
  let cache = pipelines.get(device);
  if (!cache) {
    cache = new Map();
    pipelines.set(device, cache);
  }
  return cache;
}

/** A compute pipeline for `code`, compiled once per device (the code is the cache key). */
export function pipelineFor(code: string, label: string): GPUComputePipeline {
  const device = internals().device;
  const cache = pipelineCacheOf(device);
  let pipeline = cache.get(code);
  if (!pipeline) {
    const module = device.createShaderModule({ code, label });
    pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label,
    });
    cache.set(code, pipeline);
  }
  return pipeline;
}

export interface ShaderSource {
  code: string;
  label: string;
}

/**
 * Compiles the pipelines of `shaders` that are not compiled yet, all at once and asynchronously
 * (createComputePipelineAsync: the driver may compile them in parallel, off the JS thread), so
 * that the first training step finds them ready. Reports (done, total) as each one completes.
 */
export async function compilePipelinesAhead(
  shaders: readonly ShaderSource[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const device = internals().device;
  const ready = pipelineCacheOf(device);
  const missing = [...new Map(shaders.map((s) => [s.code, s])).values()].filter(
    (s) => !ready.has(s.code),
  );
  let done = 0;
  onProgress?.(0, missing.length);
  await Promise.all(
    missing.map(async ({ code, label }) => {
      const module = device.createShaderModule({ code, label });
      const pipeline = await device.createComputePipelineAsync({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label,
      });
      ready.set(code, pipeline);
      onProgress?.(++done, missing.length);
    }),
  );
}

/** `groups` workgroups as a 2-D grid within the adapter's per-dimension limit. */
export function workgroupGrid(groups: number): [number, number, number] {
  const limit = internals().device.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.max(1, Math.min(groups, limit));
  const y = Math.ceil(groups / x);
  if (y > limit) throw new Error(`${groups} workgroups exceed the adapter's dispatch limit`);
  return [x, y, 1];
}

/** Number of pipelines compiled so far on the active device (for tests and the benchmark). */
export function compiledPipelineCount(): number {
  return pipelines.get(internals().device)?.size ?? 0;
}

function bufferOf(b: BackendInternals, t: tf.TensorInfo): GPUBuffer {
  b.uploadToGPU(t.dataId);
  const data = b.tensorMap.get(t.dataId);
  if (!data || !(data.resource instanceof GPUBuffer)) {
    throw new Error('kernel input is not backed by a GPU buffer');
  }
  if (data.dtype !== 'float32') throw new Error(`kernel input must be float32, not ${data.dtype}`);
  return data.resource;
}

/** A uniform field: a u32, or `f32(x)` for a float. 4 bytes each, in the struct's order. */
export type Uniform = number | { f32: number };

export const f32 = (value: number): Uniform => ({ f32: value });

/**
 * One dispatch of one of our compute programs: the shader (`code`, `label`), the uniform values
 * and the workgroup grid. Its WGSL binds, in order: the new float32 outputs, then the inputs,
 * then one uniform struct whose fields match `uniforms`.
 */
export interface GpuProgram extends ShaderSource {
  uniforms: readonly Uniform[];
  grid: readonly [number, number, number];
}

/** The one uniform packer: u32 fields must be whole numbers in range, f32 fields any number. */
export function uniformFields(
  label: string,
  uniforms: readonly Uniform[],
): { type: 'uint32' | 'float32'; data: number[] }[] {
  return uniforms.map((v, i) => {
    if (typeof v !== 'number') return { type: 'float32', data: [v.f32] };
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) {
      throw new Error(`${label}: uniform ${i} = ${v} is not a u32`);
    }
    return { type: 'uint32', data: [v] };
  });
}

/** Runs `program` on `inputs` (float32 tensors) into one new float32 tensor of `outputShape`. */
export function runProgram(
  program: GpuProgram,
  inputs: tf.Tensor[],
  outputShape: readonly number[],
): tf.Tensor {
  return runProgramOutputs(program, inputs, [outputShape])[0]!;
}

/**
 * Runs `program` into several new float32 outputs, recorded into tfjs's open compute pass so that
 * ordering with the surrounding tfjs ops, deferred disposal and memory accounting stay tfjs's.
 */
export function runProgramOutputs(
  program: GpuProgram,
  inputs: tf.Tensor[],
  outputShapes: readonly (readonly number[])[],
): tf.Tensor[] {
  return recordProgram(program, inputs, outputShapes).map((t) =>
    tf.engine().makeTensorFromTensorInfo(t),
  );
}

/**
 * The dispatch itself, on and to TensorInfos: what a tfjs kernel function (which receives and
 * returns TensorInfos, the engine making the tensors) calls; runProgramOutputs wraps it.
 */
export function recordProgram(
  program: GpuProgram,
  inputs: readonly tf.TensorInfo[],
  outputShapes: readonly (readonly number[])[],
): tf.TensorInfo[] {
  const b = internals();
  const pipeline = pipelineFor(program.code, program.label);
  const outputs = outputShapes.map((shape) => b.makeTensorInfo([...shape], 'float32'));
  // A compile-only pass (precompile.ts) records nothing: tfjs's own ops leave their outputs
  // unwritten then, and ours would only compute on them. The outputs still get GPU buffers, or
  // tfjs would take them for CPU data and read their (missing) values.
  if (tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY')) {
    for (const t of outputs) bufferOf(b, t);
    return outputs;
  }
  const resources: GPUBufferBinding[] = [
    ...outputs.map((t) => ({ buffer: bufferOf(b, t) })),
    ...inputs.map((t) => ({ buffer: bufferOf(b, t) })),
    b.makeUniforms(uniformFields(program.label, program.uniforms)),
  ];
  for (const t of inputs) b.commandQueueOwnedIds.add(t.dataId);
  for (const t of outputs) b.commandQueueOwnedIds.add(t.dataId);
  const bindGroup = b.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((resource, binding) => ({ binding, resource })),
  });
  b.ensureCommandEncoderReady();
  b.computePassEncoder ??= b.commandEncoder!.beginComputePass();
  b.computePassEncoder.setPipeline(pipeline);
  b.computePassEncoder.setBindGroup(0, bindGroup);
  b.computePassEncoder.dispatchWorkgroups(...program.grid);
  b.dispatchCountInPass++;
  // Same batching rule as tfjs: submit every WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches.
  if (b.dispatchCountInPass >= Number(tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE'))) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
  return outputs;
}

/** True when the active device can write GPU timestamps (created with 'timestamp-query'). */
export function deviceHasTimestamps(): boolean {
  return tf.getBackend() === 'webgpu' && internals().device.features.has('timestamp-query');
}

/**
 * GPU time in ms of everything `record` dispatches, ours and tfjs's alike: the work is recorded
 * into one compute pass whose beginning and end write timestamps. Null when the device has no
 * timestamps or the pass was cut (a tfjs op ended it, e.g. at its submit batch size): the caller
 * then times by wall clock. Costs one submit and one small readback.
 */
export async function gpuTimeMs(record: () => void): Promise<number | null> {
  if (!deviceHasTimestamps()) return null;
  const b = internals();
  const device = b.device;
  b.endComputePassEncoder();
  b.ensureCommandEncoderReady();
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const pass = b.commandEncoder!.beginComputePass({
    timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
  });
  b.computePassEncoder = pass;
  try {
    record();
  } catch (error) {
    if (b.computePassEncoder === pass) b.endComputePassEncoder();
    querySet.destroy();
    throw error;
  }
  const intact = b.computePassEncoder === pass;
  if (intact) b.endComputePassEncoder();
  const resolved = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const staging = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    b.ensureCommandEncoderReady();
    if (intact) {
      b.commandEncoder!.resolveQuerySet(querySet, 0, 2, resolved, 0);
      b.commandEncoder!.copyBufferToBuffer(resolved, 0, staging, 0, 16);
    }
    b.submitQueue();
    if (!intact) return null;
    await staging.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    // Some drivers reset or reorder timestamps (power states): such a reading is unusable.
    if (begin === undefined || end === undefined || end <= begin) return null;
    return Number(end - begin) / 1e6;
  } finally {
    querySet.destroy();
    resolved.destroy();
    staging.destroy();
  }
}
