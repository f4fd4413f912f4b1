import * as tf from '@tensorflow/tfjs-core';
import { NORMALIZE_MEAN, NORMALIZE_STD } from '../../tricks';
import { runProgram, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * The colour and normalization half of the GPU preprocessing (preprocess.ts) in one dispatch per
 * batch instead of five tfjs ops (a batched matMul by each image's colour matrix, the lighting
 * offset, the clip to [0, 255], the mean subtraction and the division by the deviation):
 *   out_c = (clamp(Σ_j M[c][j]·in_j + offset_c, 0, 255) − mean_c) / std_c
 * One invocation per pixel, its three channels read and written together.
 */

const WORKGROUP = 64;

const f32Literal = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
const vec3Literal = (values: readonly number[]) =>
  `vec3<f32>(${values.map(f32Literal).join(', ')})`;

function colorNormalizeWgsl(normalize: boolean): string {
  const result = normalize
    ? `(clamped - ${vec3Literal(NORMALIZE_MEAN)}) / ${vec3Literal(NORMALIZE_STD)}`
    : 'clamped';
  return /* wgsl */ `
struct Uniforms { PIXELS: u32, TOTAL: u32 };
@group(0) @binding(0) var<storage, read_write> result: array<f32>;
@group(0) @binding(1) var<storage, read> pixels: array<f32>;
// [image, row c, column j] of M, and [image, c] of the lighting offset.
@group(0) @binding(2) var<storage, read> matrices: array<f32>;
@group(0) @binding(3) var<storage, read> offsets: array<f32>;
@group(0) @binding(4) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP}, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (p >= u.TOTAL) { return; }
  let n = p / u.PIXELS;
  let rgb = vec3<f32>(pixels[3u * p], pixels[3u * p + 1u], pixels[3u * p + 2u]);
  let m = 9u * n;
  let colored = vec3<f32>(
    dot(vec3<f32>(matrices[m], matrices[m + 1u], matrices[m + 2u]), rgb),
    dot(vec3<f32>(matrices[m + 3u], matrices[m + 4u], matrices[m + 5u]), rgb),
    dot(vec3<f32>(matrices[m + 6u], matrices[m + 7u], matrices[m + 8u]), rgb),
  ) + vec3<f32>(offsets[3u * n], offsets[3u * n + 1u], offsets[3u * n + 2u]);
  let clamped = clamp(colored, vec3<f32>(0.0), vec3<f32>(255.0));
  let value = ${result};
  result[3u * p] = value.x;
  result[3u * p + 1u] = value.y;
  result[3u * p + 2u] = value.z;
}
`;
}

/** Both variants, to compile ahead: normalized (training, evaluation) and raw (the preview). */
export const COLOR_NORMALIZE_SHADERS: ShaderSource[] = [
  { code: colorNormalizeWgsl(true), label: 'color-normalize' },
  { code: colorNormalizeWgsl(false), label: 'color-clip' },
];

/**
 * `images` [count, h, w, 3] in [0, 255] through each image's colour matrix (row-major, [count·9])
 * and lighting offset ([count·3]), clipped to [0, 255], then normalized when `normalize`.
 */
export function colorAndNormalize(
  images: tf.Tensor4D,
  colorMatrices: Float32Array,
  lightingOffsets: Float32Array,
  normalize: boolean,
): tf.Tensor4D {
  const [count, height, width] = images.shape;
  if (colorMatrices.length !== 9 * count || lightingOffsets.length !== 3 * count) {
    throw new Error(`colour: need ${count} matrices and offsets`);
  }
  const pixels = height * width;
  const matrices = tf.tensor1d(colorMatrices);
  const offsets = tf.tensor1d(lightingOffsets);
  try {
    return runProgram(
      {
        ...COLOR_NORMALIZE_SHADERS[normalize ? 0 : 1]!,
        uniforms: [pixels, count * pixels],
        grid: workgroupGrid(Math.ceil((count * pixels) / WORKGROUP)),
      },
      [images, matrices, offsets],
      images.shape,
    ) as tf.Tensor4D;
  } finally {
    tf.dispose([matrices, offsets]);
  }
}
