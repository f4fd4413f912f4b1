import { backendDevice } from '../kernels/dispatch';

/**
 * The adapter's arithmetic peak, measured: a WGSL kernel of independent vec4 FMA chains with no
 * memory traffic except one store per thread (so the compiler cannot drop the work). Runs on the
 * tfjs backend's own device, in its own command buffers, timed from submit to onSubmittedWorkDone.
 */

const WORKGROUP = 256;
/** Loop iterations per thread; each does CHAINS vec4 FMAs = CHAINS·4·2 flops. */
const ITERATIONS = 1024;
const CHAINS = 8;

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

export interface PeakMeasurement {
  gflops: number;
  /** Seconds of the timed dispatch. */
  seconds: number;
}

/** Flops of one dispatch of `workgroups` workgroups. */
export function fmaFlops(workgroups: number, iterations = ITERATIONS): number {
  return workgroups * WORKGROUP * iterations * CHAINS * 4 * 2;
}

/**
 * Best of `repeats` timed dispatches after one warm-up (which compiles). `workgroups` scales the
 * work: the default keeps one dispatch around a second on a 2-core CPU adapter.
 */
export async function measureFmaPeak(workgroups = 64, repeats = 3): Promise<PeakMeasurement> {
  const device = backendDevice();
  const threads = workgroups * WORKGROUP;
  const out = device.createBuffer({ size: threads * 16, usage: GPUBufferUsage.STORAGE });
  const uniforms = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const params = new ArrayBuffer(16);
  new Float32Array(params, 0, 1)[0] = 0.5;
  new Uint32Array(params, 4, 1)[0] = ITERATIONS;
  device.queue.writeBuffer(uniforms, 0, params);
  const module = device.createShaderModule({ code: FMA_PEAK_WGSL, label: 'fma-peak' });
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
    label: 'fma-peak',
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: out } },
      { binding: 1, resource: { buffer: uniforms } },
    ],
  });
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.min(workgroups, maxX);
  const gy = Math.ceil(workgroups / gx);
  const once = async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(gx, gy, 1);
    pass.end();
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - start) / 1000;
  };
  try {
    await device.queue.onSubmittedWorkDone();
    await once();
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) best = Math.min(best, await once());
    return { gflops: fmaFlops(gx * gy) / best / 1e9, seconds: best };
  } finally {
    out.destroy();
    uniforms.destroy();
  }
}
