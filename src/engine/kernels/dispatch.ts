import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { errorMessage } from '../../errors';
import { compileFailpointOf } from '../faults/failpoints';

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
  /** How many tensors share this storage (tf.clone and Variable.assign share it). */
  refCount: number;
  /** tfjs's CPU copy, cached by a read and trusted by later reads. */
  values: unknown;
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

/** Per device, pipelines by the code the compiler got (compiledCode). */
const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();
/** Per device, the code of pipelines that failed to compile, with the compiler's message. */
const failedPipelines = new WeakMap<GPUDevice, Map<string, string>>();

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

/** True when the active backend's device was created with the 'subgroups' feature. */
export function deviceHasSubgroups(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  return (tf.backend() as WebGPUBackend).device.features.has('subgroups');
}

function perDevice<V>(map: WeakMap<GPUDevice, Map<string, V>>, device: GPUDevice): Map<string, V> {
  let cache = map.get(device);
  if (!cache) {
    cache = new Map();
    map.set(device, cache);
  }
  return cache;
}

/** What the compiler is given for `source`: a compile failpoint naming its kernel breaks it. */
function compiledCode({ code, label }: ShaderSource): string {
  const kernel = compileFailpointOf(label);
  return kernel ? `${code}\nfailpoint compile:${kernel} makes this shader invalid` : code;
}

/**
 * A compute pipeline for `code`, compiled once per device (the code the compiler gets is the
 * cache key). Code that already failed to compile throws here instead of making an invalid
 * pipeline, whose dispatches would be dropped with an asynchronous GPU error.
 */
export function pipelineFor(code: string, label: string): GPUComputePipeline {
  const device = internals().device;
  const cache = perDevice(pipelines, device);
  const compiled = compiledCode({ code, label });
  let pipeline = cache.get(compiled);
  if (!pipeline) {
    const failed = perDevice(failedPipelines, device).get(compiled);
    if (failed !== undefined) throw new Error(`${label} did not compile on this GPU: ${failed}`);
    const module = device.createShaderModule({ code: compiled, label });
    pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label,
    });
    cache.set(compiled, pipeline);
  }
  return pipeline;
}

export interface ShaderSource {
  code: string;
  /**
   * Names the kernel in GPU error messages; a convolution kernel's labels start with its id
   * (conv-registry.ts), which the compile failpoint matches.
   */
  label: string;
}

/** A shader and whether it raises FP16's overflow flag (GpuProgram.overflowFlag). */
export interface FlaggedShader extends ShaderSource {
  overflowFlag: boolean;
}

/** A pipeline the compiler rejected: the shader and the compiler's message. */
export interface CompileFailure {
  source: ShaderSource;
  message: string;
}

/**
 * Compiles the pipelines of `shaders` that are not compiled yet, all at once and asynchronously
 * (createComputePipelineAsync: the driver may compile them in parallel, off the JS thread), so
 * that the first training step finds them ready. Reports (done, total) as each one settles. A
 * pipeline the compiler rejects does not stop the others: every given shader with its code is
 * returned, and the code remembered (pipelineFor then throws for it) and never cached.
 */
export async function compilePipelinesAhead(
  shaders: readonly ShaderSource[],
  onProgress?: (done: number, total: number) => void,
): Promise<CompileFailure[]> {
  const device = internals().device;
  const ready = perDevice(pipelines, device);
  const failedBefore = perDevice(failedPipelines, device);
  const unique = [...new Map(shaders.map((s) => [compiledCode(s), s])).entries()];
  const missing = unique.filter(([code]) => !ready.has(code) && !failedBefore.has(code));
  let done = 0;
  onProgress?.(0, missing.length);
  const settled = await Promise.allSettled(
    missing.map(async ([code, { label }]) => {
      try {
        // The module's own errors (the WGSL compiler's) go to this scope, not to the device's
        // uncapturederror listener, which would take them for a failed training step.
        device.pushErrorScope('validation');
        const module = device.createShaderModule({ code, label });
        const moduleError = device.popErrorScope();
        try {
          const pipeline = await device.createComputePipelineAsync({
            layout: 'auto',
            compute: { module, entryPoint: 'main' },
            label,
          });
          ready.set(code, pipeline);
        } catch (error) {
          throw new Error(await compilerMessage(module, moduleError, error), { cause: error });
        } finally {
          await moduleError;
        }
      } finally {
        onProgress?.(++done, missing.length);
      }
    }),
  );
  settled.forEach((result, i) => {
    if (result.status === 'rejected') {
      failedBefore.set(missing[i]![0], firstLine(errorMessage(result.reason)));
    }
  });
  // Every shader given whose code failed, now or before: kernels share some code (a split-K sum),
  // and each owner of failed code has failed.
  return [...new Set(shaders)].flatMap((source) => {
    const message = failedBefore.get(compiledCode(source));
    return message === undefined ? [] : [{ source, message }];
  });
}

/** Compiler messages run to many lines (the shader quoted): the first one names the problem. */
function firstLine(message: string): string {
  return (
    message
      .split('\n')
      .find((line) => line.trim().length > 0)
      ?.trim() ?? message
  );
}

/**
 * Why a pipeline did not compile, in the compiler's words where it gave any: its first error
 * (with line and column), else the module's validation error, else the pipeline's rejection.
 */
async function compilerMessage(
  module: GPUShaderModule,
  moduleError: Promise<GPUError | null>,
  pipelineError: unknown,
): Promise<string> {
  const info = await module.getCompilationInfo().catch(() => null);
  const first = info?.messages.find((m) => m.type === 'error');
  if (first) return `line ${first.lineNum}:${first.linePos}: ${first.message}`;
  return (await moduleError)?.message ?? errorMessage(pipelineError);
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

function bufferOf(
  b: BackendInternals,
  t: tf.TensorInfo,
  dtype: tf.DataType = 'float32',
): GPUBuffer {
  b.uploadToGPU(t.dataId);
  const data = b.tensorMap.get(t.dataId);
  if (!data || !(data.resource instanceof GPUBuffer)) {
    throw new Error('kernel input is not backed by a GPU buffer');
  }
  if (data.dtype !== dtype) throw new Error(`kernel input must be ${dtype}, not ${data.dtype}`);
  return data.resource;
}

/**
 * `t` itself when its GPU data is stored as float32, else a float32 copy: tfjs's cast from int32
 * to float32 (`tf.oneHot(…).toFloat()`) keeps the int32 data and only relabels the tensor, which
 * our kernels, reading array<f32>, would misread. The copy costs one tfjs dispatch.
 */
export function withFloat32Storage(t: tf.Tensor): tf.Tensor {
  const stored = internals().tensorMap.get(t.dataId)?.dtype ?? t.dtype;
  return stored === 'float32' ? t : tf.mul(t, tf.scalar(1, 'float32'));
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
  /**
   * The dtype of each input, by position; float32 where not given. tfjs-webgpu stores int32 and
   * bool tensors alike as one i32 per element (a bool as 0 or 1): the WGSL reads array<i32>.
   */
  inputDtypes?: readonly tf.DataType[];
  /**
   * The shader raises the overflow flag (f16-rounding.ts): its WGSL declares it as the binding
   * after the uniforms, and the dispatch binds the training step's flag there.
   */
  overflowFlag?: boolean;
}

/**
 * The overflow flag of the step being recorded (the loss scaler's, a one-element tensor), or
 * null: programs that raise it then write a scratch buffer nobody reads (kernel tests, tuning).
 */
let activeOverflowFlag: tf.Tensor | null = null;
const scratchFlags = new WeakMap<GPUDevice, GPUBuffer>();

/** Runs `record` with `flag` as the overflow flag its programs raise. */
export function withOverflowFlag<T>(flag: tf.Tensor | null, record: () => T): T {
  const previous = activeOverflowFlag;
  activeOverflowFlag = flag;
  try {
    return record();
  } finally {
    activeOverflowFlag = previous;
  }
}

function overflowFlagBinding(b: BackendInternals): GPUBufferBinding {
  if (activeOverflowFlag) {
    b.commandQueueOwnedIds.add(activeOverflowFlag.dataId);
    return { buffer: bufferOf(b, activeOverflowFlag) };
  }
  let scratch = scratchFlags.get(b.device);
  if (!scratch) {
    scratch = b.device.createBuffer({
      size: 4,
      usage: GPUBufferUsage.STORAGE,
      label: 'scratch overflow flag',
    });
    scratchFlags.set(b.device, scratch);
  }
  return { buffer: scratch };
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
  recordDispatch(b, pipeline, program, outputs, inputs);
  return outputs;
}

/**
 * True when `t`'s storage may be written in place: on the GPU backend, float32, and held by no
 * other tensor (a clone, or a variable's earlier value still alive, shares it and would change
 * with it).
 */
export function writableInPlace(t: tf.TensorInfo): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const data = internals().tensorMap.get(t.dataId);
  return data !== undefined && data.refCount === 1 && data.dtype === 'float32';
}

/**
 * Runs `program` writing `targets` in place: its WGSL binds them first (read_write), then the
 * inputs, then the uniforms. Saves the new tensor, its buffer and the variable's reassignment
 * that an output costs, and the binding: an in-place update of k tensors fits k times in the
 * storage buffers a dispatch may bind where outputs would not. Every target must be
 * writableInPlace, and no buffer may be bound twice (WebGPU rejects a written buffer that is
 * also bound elsewhere in the dispatch). A compile-only pass records nothing and leaves them.
 */
export function runProgramInPlace(
  program: GpuProgram,
  targets: readonly tf.Tensor[],
  inputs: readonly tf.Tensor[],
): void {
  const b = internals();
  const ids = [...targets, ...inputs].map((t) => t.dataId);
  if (new Set(ids).size !== ids.length) {
    throw new Error(`${program.label}: a tensor is bound twice in one in-place dispatch`);
  }
  for (const t of targets) {
    if (!writableInPlace(t)) {
      throw new Error(`${program.label}: a target's storage is shared or not float32`);
    }
  }
  const pipeline = pipelineFor(program.code, program.label);
  if (tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY')) return;
  recordDispatch(b, pipeline, program, targets, inputs);
  // The GPU now holds newer values than a CPU copy an earlier read cached.
  for (const t of targets) b.tensorMap.get(t.dataId)!.values = null;
}

/**
 * `items` in groups of at most `perGroup` for in-place dispatches, in order. An item whose
 * targets are not all writableInPlace, or that binds a tensor an item before it in the same
 * group binds, goes to `others` (for an out-of-place dispatch of its own).
 */
export function groupForInPlace<T>(
  items: readonly T[],
  perGroup: number,
  targetsOf: (item: T) => readonly tf.Tensor[],
  inputsOf: (item: T) => readonly tf.Tensor[],
): { groups: T[][]; others: T[] } {
  const groups: T[][] = [];
  const others: T[] = [];
  let group: T[] = [];
  let bound = new Set<object>();
  for (const item of items) {
    const ids = [...targetsOf(item), ...inputsOf(item)].map((t) => t.dataId);
    if (!targetsOf(item).every(writableInPlace) || new Set(ids).size !== ids.length) {
      others.push(item);
      continue;
    }
    if (group.length === perGroup || ids.some((id) => bound.has(id))) {
      groups.push(group);
      group = [];
      bound = new Set();
    }
    group.push(item);
    for (const id of ids) bound.add(id);
  }
  if (group.length > 0) groups.push(group);
  return { groups, others };
}

/**
 * A copy of a tensor's values as the GPU holds them now: a value updated in place (runProgramInPlace)
 * may still have a CPU copy that a read in flight during the update cached afterwards. Reads
 * of state that is updated in place (weights, velocities, BN statistics) go through here.
 */
export async function readCurrentValues(t: tf.Tensor): Promise<Float32Array> {
  if (tf.getBackend() === 'webgpu') {
    const data = internals().tensorMap.get(t.dataId);
    if (data?.resource) data.values = null;
  }
  // A copy: the CPU backend may hand out its own storage.
  return new Float32Array(await t.data());
}

/** Binds `written` (outputs or in-place targets), the inputs and the uniforms, and dispatches. */
function recordDispatch(
  b: BackendInternals,
  pipeline: GPUComputePipeline,
  program: GpuProgram,
  written: readonly tf.TensorInfo[],
  inputs: readonly tf.TensorInfo[],
): void {
  const resources: GPUBufferBinding[] = [
    ...written.map((t) => ({ buffer: bufferOf(b, t) })),
    ...inputs.map((t, i) => ({ buffer: bufferOf(b, t, program.inputDtypes?.[i]) })),
    b.makeUniforms(uniformFields(program.label, program.uniforms)),
    ...(program.overflowFlag ? [overflowFlagBinding(b)] : []),
  ];
  for (const t of [...inputs, ...written]) b.commandQueueOwnedIds.add(t.dataId);
  const bindGroup = b.device.createBindGroup({
    label: program.label,
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
}

/**
 * How many storage buffers one of our dispatches may bind on the active device (8, WebGPU's
 * default, unless the device was created with the adapter's own limit).
 */
export function storageBuffersPerDispatch(): number {
  return internals().device.limits.maxStorageBuffersPerShaderStage;
}

/**
 * Ends tfjs's open compute pass and submits what it recorded: a GPU error in recorded work is only
 * raised when its command buffer is finished, so an error scope around that work flushes first.
 */
export function flushCommands(): void {
  const b = internals();
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
}

/** A shader that writes a buffer: dispatched without its bind group, it is invalid. */
const UNBOUND_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> sink: array<u32>;
@compute @workgroup_size(1)
fn main() { sink[0] = 1u; }`;

/**
 * Records an invalid dispatch (its buffer is never bound) into tfjs's command stream, labelled
 * `label`: the GPU rejects the whole command buffer it lands in, with a validation error, as it
 * would a real bug. For the gpu-error failpoint only.
 */
export function recordInvalidDispatch(label: string): void {
  const b = internals();
  // Its own pipeline per label (pipelines are cached by code): messages quote the label.
  const pipeline = pipelineFor(`${UNBOUND_WGSL}\n// ${label.replace(/\n/g, ' ')}`, label);
  b.ensureCommandEncoderReady();
  // A new pass: no bind group of an earlier dispatch is left set.
  b.endComputePassEncoder();
  b.computePassEncoder = b.commandEncoder!.beginComputePass({ label });
  b.computePassEncoder.setPipeline(pipeline);
  b.computePassEncoder.dispatchWorkgroups(1);
  b.dispatchCountInPass++;
}

/** True when the active device can write GPU timestamps (created with 'timestamp-query'). */
export function deviceHasTimestamps(): boolean {
  return tf.getBackend() === 'webgpu' && internals().device.features.has('timestamp-query');
}

/**
 * GPU time in ms of everything `record` dispatches, ours and tfjs's alike: the work is recorded
 * into one compute pass whose beginning and end write timestamps. Null when the device has no
 * timestamps or the pass was cut (an upload or a readback inside `record` ends it): the caller
 * then times by wall clock. A reading of 0 means "under one timer tick" (Chrome quantizes
 * timestamps to 100 µs). Costs one submit and one small readback.
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
  // tfjs (and recordProgram) submit every WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches, which
  // would cut the timed pass: not while it records (its count also outlives ended passes).
  const batchSize = tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', Number.MAX_SAFE_INTEGER);
  b.dispatchCountInPass = 0;
  try {
    record();
  } catch (error) {
    if (b.computePassEncoder === pass) b.endComputePassEncoder();
    querySet.destroy();
    throw error;
  } finally {
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', batchSize);
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
    if (begin === undefined || end === undefined || end < begin) return null;
    return Number(end - begin) / 1e6;
  } finally {
    querySet.destroy();
    resolved.destroy();
    staging.destroy();
  }
}
