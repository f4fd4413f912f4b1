import * as tf from '@tensorflow/tfjs-core';
import {
  f32,
  runProgramInPlace,
  runProgramOutputs,
  storageBuffersPerDispatch,
  workgroupGrid,
  type ShaderSource,
  type Uniform,
} from './dispatch';

/**
 * The running statistics of one BN layer moved towards a step's batch moments in a single
 * dispatch (the tfjs ops take six: a mul, a mul and an add for each of mean and variance), with
 * the same formula and order of operations as model.ts's unfused update:
 *   running_mean' = μ·running_mean + (1 − μ)·batch_mean;  running_var' likewise.
 * A model has one such update per BN layer per step, so this saves five dispatches each.
 */

const WORKGROUP = 64;

const RUNNING_STATS_WGSL = /* wgsl */ `
struct Uniforms { SIZE: u32, MOMENTUM: f32, BATCH_WEIGHT: f32 };
@group(0) @binding(0) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(1) var<storage, read_write> varianceOut: array<f32>;
@group(0) @binding(2) var<storage, read> runningMean: array<f32>;
@group(0) @binding(3) var<storage, read> runningVariance: array<f32>;
@group(0) @binding(4) var<storage, read> batchMean: array<f32>;
@group(0) @binding(5) var<storage, read> batchVariance: array<f32>;
@group(0) @binding(6) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.SIZE) { return; }
  meanOut[i] = runningMean[i] * u.MOMENTUM + batchMean[i] * u.BATCH_WEIGHT;
  varianceOut[i] = runningVariance[i] * u.MOMENTUM + batchVariance[i] * u.BATCH_WEIGHT;
}
`;

/**
 * The in-place update of `count` layers in one dispatch: each layer's running mean and variance
 * (read_write), then each one's batch mean and variance, then the uniforms. Invocation i updates
 * channel i of the layers' concatenated channels. Same formula and order as above.
 */
function runningStatsInPlaceWgsl(count: number): string {
  const layers = Array.from({ length: count }, (_, j) => j);
  const bindings = layers
    .map(
      (j) => `@group(0) @binding(${2 * j}) var<storage, read_write> runningMean${j}: array<f32>;
@group(0) @binding(${2 * j + 1}) var<storage, read_write> runningVariance${j}: array<f32>;
@group(0) @binding(${2 * count + 2 * j}) var<storage, read> batchMean${j}: array<f32>;
@group(0) @binding(${2 * count + 2 * j + 1}) var<storage, read> batchVariance${j}: array<f32>;`,
    )
    .join('\n');
  const updates = layers
    .map(
      (j) => `  if (i < u.SIZE${j}) {
    runningMean${j}[i] = runningMean${j}[i] * u.MOMENTUM + batchMean${j}[i] * u.BATCH_WEIGHT;
    runningVariance${j}[i] = runningVariance${j}[i] * u.MOMENTUM + batchVariance${j}[i] * u.BATCH_WEIGHT;
    return;
  }
  i = i - u.SIZE${j};`,
    )
    .join('\n');
  return /* wgsl */ `
struct Uniforms { TOTAL: u32, MOMENTUM: f32, BATCH_WEIGHT: f32, ${layers.map((j) => `SIZE${j}: u32`).join(', ')} };
${bindings}
@group(0) @binding(${4 * count}) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  var i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.TOTAL) { return; }
${updates}
}
`;
}

/** More layers per dispatch would only add shader variants. */
const MAX_LAYERS_PER_DISPATCH = 8;

/**
 * How many layers one in-place update dispatch takes on the active device: 4 storage buffers
 * each (running and batch mean and variance). 2 at WebGPU's default of 8.
 */
export function runningStatsLayersPerDispatch(
  storageBuffers = storageBuffersPerDispatch(),
): number {
  const layers = Math.floor(storageBuffers / 4);
  return Math.max(1, Math.min(MAX_LAYERS_PER_DISPATCH, layers));
}

function inPlaceShader(count: number): ShaderSource {
  return { code: runningStatsInPlaceWgsl(count), label: `bn-running-stats-in-place-x${count}` };
}

/**
 * The in-place update's shaders for every group size a device with `storageBuffers` per dispatch
 * (the active device's by default) can bind, to compile ahead.
 */
export function runningStatsInPlaceShaders(
  storageBuffers = storageBuffersPerDispatch(),
): ShaderSource[] {
  const most = runningStatsLayersPerDispatch(storageBuffers);
  return Array.from({ length: most }, (_, i) => inPlaceShader(i + 1));
}

/** One layer's part of an in-place update. */
export interface RunningStatsUpdate {
  running: RunningStats;
  batch: RunningStats;
}

/**
 * Moves the running statistics of `group`'s layers in place, in one dispatch: every running
 * tensor must be writableInPlace (dispatch.ts), and at most runningStatsLayersPerDispatch layers.
 */
export function updateRunningStatsInPlace(
  group: readonly RunningStatsUpdate[],
  momentum: number,
): void {
  for (const layer of group) checkSizes(layer.running, layer.batch);
  const total = group.reduce((sum, l) => sum + l.running.mean.size, 0);
  const uniforms: Uniform[] = [total, f32(momentum), f32(1 - momentum)];
  for (const l of group) uniforms.push(l.running.mean.size);
  runProgramInPlace(
    {
      ...inPlaceShader(group.length),
      uniforms,
      grid: workgroupGrid(Math.ceil(total / WORKGROUP)),
    },
    group.flatMap((l) => [l.running.mean, l.running.variance]),
    group.flatMap((l) => [l.batch.mean, l.batch.variance]),
  );
}

function checkSizes(running: RunningStats, batch: RunningStats): void {
  const size = running.mean.size;
  const sizes = [running.variance.size, batch.mean.size, batch.variance.size];
  if (sizes.some((s) => s !== size)) {
    throw new Error(`running statistics: sizes differ (${[size, ...sizes].join(', ')})`);
  }
}

/** The out-of-place update's shader, to compile ahead. */
export const RUNNING_STATS_SHADERS: ShaderSource[] = [
  { code: RUNNING_STATS_WGSL, label: 'bn-running-stats' },
];

export interface RunningStats {
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * [new running mean, new running variance] of one layer (each of `running`'s shape); the caller
 * assigns them and disposes the returned tensors.
 */
export function updatedRunningStats(
  running: RunningStats,
  batch: RunningStats,
  momentum: number,
): [tf.Tensor, tf.Tensor] {
  checkSizes(running, batch);
  const size = running.mean.size;
  const [mean, variance] = runProgramOutputs(
    {
      ...RUNNING_STATS_SHADERS[0]!,
      // 1 − μ computed in double precision and then rounded, as tf.mul(batch, 1 - μ) does.
      uniforms: [size, f32(momentum), f32(1 - momentum)],
      grid: workgroupGrid(Math.ceil(size / WORKGROUP)),
    },
    [running.mean, running.variance, batch.mean, batch.variance],
    [running.mean.shape, running.mean.shape],
  );
  return [mean!, variance!];
}
