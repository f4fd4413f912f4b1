import * as tf from '@tensorflow/tfjs-core';
import {
  backendDevice,
  deviceHasSubgroups,
  flushCommands,
  runProgram,
  type ShaderSource,
} from './dispatch';

/**
 * Whether and how our kernels may shuffle in subgroups on the active device. BN's lane sums
 * (bn-reduce-wgsl.ts) shuffle by multiples of a column block's width, which stays within a
 * column only where the subgroups of a 1-D workgroup are aligned runs of local_invocation_index:
 * what GPUs do, and not what WebGPU promises. One probe dispatch at start checks it on the device;
 * the smallest subgroup size (the adapter's, else the probe's) bounds the shuffles, so that a
 * compiler free to pick the size per pipeline cannot break them.
 */

const PROBE_THREADS = 256;

const PROBE_WGSL = /* wgsl */ `
enable subgroups;
// Values per invocation (2): 1 where its subgroup is an aligned run holding it at its subgroup
// index, else 0; then the subgroup size.
struct Uniforms { STRIDE: u32 };
@group(0) @binding(0) var<storage, read_write> found: array<f32>;
// 0, added to the flags (our programs bind their inputs as they bind outputs).
@group(0) @binding(1) var<storage, read> zero: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;

@compute @workgroup_size(${PROBE_THREADS}, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sgId: u32,
        @builtin(subgroup_size) sgSize: u32) {
  let first = subgroupBroadcastFirst(lid);
  let aligned = lid - first == sgId && first % sgSize == 0u;
  found[lid * u.STRIDE] = select(0.0, 1.0, aligned) + zero[0];
  found[lid * u.STRIDE + 1u] = f32(sgSize);
}
`;

/** Per device: the smallest subgroup size shuffles may assume, or null (no shuffles). */
/** The probe's shader (wgsl-names.test.ts checks its names). */
export const SUBGROUP_PROBE_SHADER: ShaderSource = {
  code: PROBE_WGSL,
  label: 'subgroup-layout-probe',
};

const shuffleWidths = new WeakMap<GPUDevice, number | null>();

/**
 * Probes the active device (one dispatch and a readback) and remembers the result: call once
 * after the backend starts. `adapterMinSize`: GPUAdapterInfo.subgroupMinSize where the browser
 * reports it. Any failure (a rejected shader included) means no shuffles.
 */
export async function probeSubgroupLayout(adapterMinSize?: number): Promise<number | null> {
  const device = backendDevice();
  let width: number | null = null;
  if (deviceHasSubgroups()) {
    const zero = tf.zeros([1]);
    let probe: tf.Tensor | null = null;
    // A compiler that rejects the probe must not leave an uncaptured error for a run to find.
    device.pushErrorScope('validation');
    try {
      probe = runProgram(
        { ...SUBGROUP_PROBE_SHADER, uniforms: [2], grid: [1, 1, 1] },
        [zero],
        [2 * PROBE_THREADS],
      );
      flushCommands();
    } catch {
      probe?.dispose();
      probe = null;
    }
    const rejected = await device.popErrorScope().catch(() => true);
    try {
      if (probe && !rejected) {
        width = subgroupShuffleWidth(Float32Array.from(await probe.data()), adapterMinSize);
      }
    } catch {
      width = null;
    } finally {
      tf.dispose([zero, ...(probe ? [probe] : [])]);
    }
  }
  shuffleWidths.set(device, width);
  return width;
}

/**
 * From the probe's output ([aligned, size] per invocation): the smallest subgroup size if every
 * invocation's subgroup is aligned and the sizes are powers of two, else null. Bounded by the
 * adapter's minimum where given.
 */
export function subgroupShuffleWidth(probe: Float32Array, adapterMinSize?: number): number | null {
  let smallest = Infinity;
  for (let i = 0; i < probe.length; i += 2) {
    const size = probe[i + 1]!;
    if (probe[i] !== 1 || !(size >= 1) || (size & (size - 1)) !== 0) return null;
    smallest = Math.min(smallest, size);
  }
  if (adapterMinSize !== undefined && adapterMinSize >= 1) {
    smallest = Math.min(smallest, adapterMinSize);
  }
  return Number.isFinite(smallest) && smallest > 1 ? smallest : null;
}

/** The smallest subgroup size shuffles may assume on the active device, or null. */
export function subgroupShuffleWidthOfDevice(): number | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return shuffleWidths.get(backendDevice()) ?? null;
}

/**
 * Lanes of one column that one subgroup holds in BN's tiling: a column block `width` wide
 * (a power of two) and subgroups at least `shuffleWidth` wide hold shuffleWidth / width of a
 * column's lanes. 1 (no shuffles) without subgroups or where the block is as wide.
 */
export function bnSubgroupChunk(width: number, shuffleWidth: number | null): number {
  if (shuffleWidth === null || width >= shuffleWidth) return 1;
  return shuffleWidth / width;
}
