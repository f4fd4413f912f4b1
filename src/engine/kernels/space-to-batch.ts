import * as tf from '@tensorflow/tfjs-core';
import { isPacked, markPacked } from '../packed/registry';
import { runProgram, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * A stride-1 convolution with dilation d equals d² ordinary convolutions, one per phase (the
 * pixels whose row ≡ p and column ≡ q mod d), each on the phase's sub-image with the padding
 * divided by d: `dilated-conv.ts` runs it so, on whichever kernel the tuner picked for the phase
 * convolution (direct, tiled, packed f16), instead of a dilated variant of each. These two
 * permutations move the phases into the batch and back: one dispatch each, a copy of the
 * activation (the conv reads it anyway). They move 32-bit words, bit for bit, so f32 and packed
 * f16 activations alike (a float copy could flush a packed pair that reads as an f32 denormal).
 *
 * Layout: batch index b = (p·d + q)·N + n, as tf.spaceToBatchND orders it. The sub-images are
 * ceil(H / d) × ceil(W / d); rows and columns past the image are zeros (the convolution's own
 * zero padding at the bottom and right edges).
 */

const WORKGROUP = 64;

/** The phase grid of an [n, h, w, c] tensor for dilation d. */
export interface PhaseGrid {
  batch: number;
  height: number;
  width: number;
  /** 32-bit words per pixel (channels, or channel pairs when packed). */
  words: number;
  dilation: number;
  phaseHeight: number;
  phaseWidth: number;
}

export function phaseGrid(shape: readonly number[], dilation: number): PhaseGrid {
  if (!Number.isInteger(dilation) || dilation < 1) throw new Error(`bad dilation ${dilation}`);
  const [batch, height, width, words] = shape as [number, number, number, number];
  return {
    batch,
    height,
    width,
    words,
    dilation,
    phaseHeight: Math.ceil(height / dilation),
    phaseWidth: Math.ceil(width / dilation),
  };
}

/** [d²·n, ceil(h/d), ceil(w/d), c]: the shape of the phases in the batch. */
export function phasesShape(p: PhaseGrid): [number, number, number, number] {
  return [p.dilation * p.dilation * p.batch, p.phaseHeight, p.phaseWidth, p.words];
}

/**
 * A permutation kernel writing `output` from `input` (32-bit words), one invocation per output
 * word: `body` reads the word index `id` and its channel `c`, and stores.
 */
const permutationWgsl = (output: string, input: string, body: string) => /* wgsl */ `
struct Uniforms { N: u32, H: u32, W: u32, C: u32, D: u32, PH: u32, PW: u32, SIZE: u32 };
@group(0) @binding(0) var<storage, read_write> ${output}: array<u32>;
@group(0) @binding(1) var<storage, read> ${input}: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let id = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (id >= u.SIZE) { return; }
  let c = id % u.C;
  var rest = id / u.C;${body}
}`;

/** phases[b, i, j, c] = x[n, p + d·i, q + d·j, c] or 0. */
const TO_PHASES_WGSL = permutationWgsl(
  'phases',
  'x',
  /* wgsl */ `
  let j = rest % u.PW;
  rest = rest / u.PW;
  let i = rest % u.PH;
  let b = rest / u.PH;
  let n = b % u.N;
  let phase = b / u.N;
  let h = phase / u.D + u.D * i;
  let w = phase % u.D + u.D * j;
  var value = 0u;
  if (h < u.H && w < u.W) { value = x[((n * u.H + h) * u.W + w) * u.C + c]; }
  phases[id] = value;`,
);

/** x[n, h, w, c] = phases[(h mod d · d + w mod d)·N + n, h / d, w / d, c]. */
const FROM_PHASES_WGSL = permutationWgsl(
  'x',
  'phases',
  /* wgsl */ `
  let w = rest % u.W;
  rest = rest / u.W;
  let h = rest % u.H;
  let n = rest / u.H;
  let b = ((h % u.D) * u.D + w % u.D) * u.N + n;
  x[id] = phases[((b * u.PH + h / u.D) * u.PW + w / u.D) * u.C + c];`,
);

const TO_PHASES: ShaderSource = { code: TO_PHASES_WGSL, label: 'space-to-batch' };
const FROM_PHASES: ShaderSource = { code: FROM_PHASES_WGSL, label: 'batch-to-space' };

/** Both shaders, to compile ahead. */
export const SPACE_TO_BATCH_SHADERS: ShaderSource[] = [TO_PHASES, FROM_PHASES];

function uniformsOf(p: PhaseGrid, size: number): number[] {
  return [p.batch, p.height, p.width, p.words, p.dilation, p.phaseHeight, p.phaseWidth, size];
}

function run(source: ShaderSource, input: tf.Tensor, p: PhaseGrid, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = runProgram(
    { ...source, uniforms: uniformsOf(p, size), grid: workgroupGrid(Math.ceil(size / WORKGROUP)) },
    [input],
    shape,
  );
  return isPacked(input) ? markPacked(out) : out;
}

const toPhases = (x: tf.Tensor, p: PhaseGrid) => run(TO_PHASES, x, p, phasesShape(p));
const fromPhases = (y: tf.Tensor, p: PhaseGrid) =>
  run(FROM_PHASES, y, p, [p.batch, p.height, p.width, p.words]);

/**
 * The d² phases of x [n, h, w, c] as a batch [d²·n, ceil(h/d), ceil(w/d), c]; differentiable (its
 * gradient is the inverse permutation, padding dropped). A packed x gives packed phases.
 */
export function spaceToBatch(x: tf.Tensor4D, dilation: number): tf.Tensor4D {
  const p = phaseGrid(x.shape, dilation);
  const op = tf.customGrad((xIn) => ({
    value: toPhases(xIn as tf.Tensor, p),
    gradFunc: (dy: tf.Tensor) => fromPhases(dy, p),
  }));
  return op(x) as tf.Tensor4D;
}

/** The inverse of spaceToBatch back to [n, h, w, c] (the zero rows and columns dropped). */
export function batchToSpace(
  phases: tf.Tensor4D,
  shape: readonly [number, number, number, number],
  dilation: number,
): tf.Tensor4D {
  const p = phaseGrid([shape[0], shape[1], shape[2], phases.shape[3]], dilation);
  const expected = phasesShape(p);
  if (!tf.util.arraysEqual(phases.shape, expected)) {
    throw new Error(`batchToSpace: phases are [${phases.shape}], expected [${expected}]`);
  }
  const op = tf.customGrad((yIn) => ({
    value: fromPhases(yIn as tf.Tensor, p),
    gradFunc: (dx: tf.Tensor) => toPhases(dx, p),
  }));
  return op(phases) as tf.Tensor4D;
}
