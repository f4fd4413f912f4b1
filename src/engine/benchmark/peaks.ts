import { sizeDispatchToSpan } from '../../benchmark-report/dispatch-span';
import { backendDevice } from '../kernels/dispatch';

/**
 * The adapter's two roofline peaks, measured on the tfjs backend's own device, in its own command
 * buffers, timed from submit to onSubmittedWorkDone:
 * - arithmetic: independent vec4 FMA chains with no memory traffic but one store per thread (so
 *   the compiler cannot drop the work);
 * - memory bandwidth: a streaming copy of a buffer larger than any GPU's last-level cache (except
 *   AMD's largest Infinity Caches), rotated each pass so that no pass repeats the last one's
 *   addresses.
 * Each doubles its work until one dispatch spans MIN_DISPATCH_MS (dispatch-span.ts): a fixed size
 * reads low on a large GPU, where it would end under the submit latency.
 */

const WORKGROUP = 256;
/** Loop iterations per thread at scale ≤ FMA_WIDEN; each does CHAINS vec4 FMAs. */
const ITERATIONS = 1024;
const CHAINS = 8;
/** Workgroups at scale 1; the work first widens up to FMA_WIDEN× (1M threads fill any GPU). */
const FMA_WORKGROUPS = 64;
const FMA_WIDEN = 64;

export const FMA_PEAK_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
struct Params { seed: f32, iterations: u32 };
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  let m = vec4<f32>(params.seed, params.seed * 0.5, params.seed * 0.25, params.seed * 0.125);
  let c = vec4<f32>(0.999, 0.998, 0.997, 0.996);
${Array.from({ length: CHAINS }, (_, k) => `  var a${k} = vec4<f32>(f32(i) * 1e-7 + ${k}.0);`).join('\n')}
  for (var n = 0u; n < params.iterations; n++) {
${Array.from({ length: CHAINS }, (_, k) => `    a${k} = fma(a${k}, m, c);`).join('\n')}
  }
  out[i] = ${Array.from({ length: CHAINS }, (_, k) => `a${k}`).join(' + ')};
}`;

/**
 * dst[j] = src[j]·1.0001 + pass for every j, `passes` times, each pass's indices rotated by
 * `pass · SHIFT` so that no two passes touch the same addresses in the same order. One vec4 read
 * and one vec4 write per element and pass; threads stride through the buffer (coalesced).
 */
export const COPY_PEAK_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
struct Params { count: u32, passes: u32, shift: u32 };
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let threads = groups.x * ${WORKGROUP}u;
  for (var p = 0u; p < params.passes; p++) {
    let rotation = (p * params.shift) % params.count;
    for (var k = gid.x; k < params.count; k += threads) {
      var j = k + rotation;
      if (j >= params.count) { j -= params.count; }
      dst[j] = src[j] * 1.0001 + vec4<f32>(f32(p));
    }
  }
}`;

export interface FmaPeak {
  gflops: number;
  /** Milliseconds of the timed dispatch the figure comes from. */
  dispatchMs: number;
}

export interface CopyPeak {
  /** GB/s (10⁹ bytes) read plus written. */
  gbps: number;
  dispatchMs: number;
}

/** Flops of one FMA dispatch at `scale` (the work of sizeDispatchToSpan). */
export function fmaShape(scale: number): { workgroups: number; iterations: number; flops: number } {
  const workgroups = FMA_WORKGROUPS * Math.min(scale, FMA_WIDEN);
  const iterations = ITERATIONS * Math.max(1, scale / FMA_WIDEN);
  return { workgroups, iterations, flops: workgroups * WORKGROUP * iterations * CHAINS * 4 * 2 };
}

/** Bytes one copy dispatch moves: `passes` reads and writes of `count` vec4s. */
export function copyBytes(count: number, passes: number): number {
  return 2 * 16 * count * passes;
}

/** Submits one dispatch and waits for the GPU to finish it; returns milliseconds. */
async function timeDispatch(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  workgroups: number,
): Promise<number> {
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.min(workgroups, maxX);
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(gx, Math.ceil(workgroups / gx), 1);
  pass.end();
  const start = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

async function pipelineOf(device: GPUDevice, code: string, label: string) {
  return device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code, label }), entryPoint: 'main' },
    label,
  });
}

/** The FMA peak: the dispatch widened, then lengthened, until it spans MIN_DISPATCH_MS. */
export async function measureFmaPeak(): Promise<FmaPeak> {
  const device = backendDevice();
  const widest = fmaShape(FMA_WIDEN).workgroups;
  const out = device.createBuffer({
    size: widest * WORKGROUP * 16,
    usage: GPUBufferUsage.STORAGE,
  });
  const uniforms = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  try {
    const pipeline = await pipelineOf(device, FMA_PEAK_WGSL, 'fma-peak');
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: out } },
        { binding: 1, resource: { buffer: uniforms } },
      ],
    });
    const time = (scale: number) => {
      const { workgroups, iterations } = fmaShape(scale);
      const params = new ArrayBuffer(16);
      new Float32Array(params, 0, 1)[0] = 0.5;
      new Uint32Array(params, 4, 1)[0] = iterations;
      device.queue.writeBuffer(uniforms, 0, params);
      return timeDispatch(device, pipeline, bindGroup, workgroups);
    };
    await device.queue.onSubmittedWorkDone();
    await time(1); // compiles and wakes the GPU
    const { scale, ms } = await sizeDispatchToSpan(time);
    return { gflops: fmaShape(scale).flops / (ms / 1000) / 1e9, dispatchMs: ms };
  } finally {
    out.destroy();
    uniforms.destroy();
  }
}

/** Bytes of each copy buffer: larger than the last-level cache of every GPU but AMD's largest. */
const COPY_BUFFER_BYTES = 128 * 2 ** 20;
/** Threads striding through the buffer: enough to fill any GPU's memory pipeline. */
const COPY_WORKGROUPS = 4096;
/** The rotation between passes, in vec4s: a whole number of workgroups' worth (coalescing kept). */
const COPY_SHIFT = 7 * WORKGROUP;

/**
 * The streaming bandwidth: `passes` rotated copies of one buffer in a dispatch, passes doubling
 * until it spans MIN_DISPATCH_MS. `bufferBytes` (tests) shrinks the buffers.
 */
export async function measureCopyPeak(bufferBytes = COPY_BUFFER_BYTES): Promise<CopyPeak> {
  const device = backendDevice();
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const count = Math.floor(Math.min(bufferBytes, limit) / 16);
  const { src, dst, uniforms } = copyBuffers(device, count);
  try {
    const pipeline = await pipelineOf(device, COPY_PEAK_WGSL, 'copy-peak');
    const bindGroup = copyBindGroup(device, pipeline, src, dst, uniforms);
    const workgroups = Math.min(COPY_WORKGROUPS, Math.ceil(count / WORKGROUP));
    const time = (passes: number) => {
      device.queue.writeBuffer(uniforms, 0, new Uint32Array([count, passes, COPY_SHIFT, 0]));
      return timeDispatch(device, pipeline, bindGroup, workgroups);
    };
    await device.queue.onSubmittedWorkDone();
    await time(1);
    const { scale, ms } = await sizeDispatchToSpan(time);
    return { gbps: copyBytes(count, scale) / (ms / 1000) / 1e9, dispatchMs: ms };
  } finally {
    src.destroy();
    dst.destroy();
    uniforms.destroy();
  }
}

function copyBuffers(device: GPUDevice, count: number) {
  return {
    src: device.createBuffer({
      size: count * 16,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    }),
    dst: device.createBuffer({
      size: count * 16,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    }),
    uniforms: device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    }),
  };
}

function copyBindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  src: GPUBuffer,
  dst: GPUBuffer,
  uniforms: GPUBuffer,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: dst } },
      { binding: 1, resource: { buffer: src } },
      { binding: 2, resource: { buffer: uniforms } },
    ],
  });
}

/**
 * Runs the copy kernel once on `values` (a multiple of 4 floats) for `passes` passes and returns
 * dst: what the bandwidth figure counts must be what the kernel does (peaks.test.ts).
 */
export async function runCopyKernel(
  values: Float32Array<ArrayBuffer>,
  passes: number,
): Promise<Float32Array> {
  const device = backendDevice();
  const count = values.length / 4;
  const { src, dst, uniforms } = copyBuffers(device, count);
  const staging = device.createBuffer({
    size: count * 16,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    device.queue.writeBuffer(src, 0, values);
    device.queue.writeBuffer(uniforms, 0, new Uint32Array([count, passes, COPY_SHIFT, 0]));
    const pipeline = await pipelineOf(device, COPY_PEAK_WGSL, 'copy-peak');
    const bindGroup = copyBindGroup(device, pipeline, src, dst, uniforms);
    await timeDispatch(device, pipeline, bindGroup, Math.min(4, Math.ceil(count / WORKGROUP)));
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(dst, 0, staging, 0, count * 16);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
    src.destroy();
    dst.destroy();
    uniforms.destroy();
  }
}
