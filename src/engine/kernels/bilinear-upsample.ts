import * as tf from '@tensorflow/tfjs-core';
import { f32, runProgram, workgroupGrid, type ShaderSource } from './dispatch';

/**
 * Bilinear resizing of NHWC float32 tensors with half-pixel centres, PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False) (no antialiasing, so downsizing samples 2×2
 * taps too): per axis, with scale = inSize / outSize,
 *   src = max(scale·(dst + 0.5) − 0.5, 0), i0 = ⌊src⌋, i1 = min(i0 + 1, inSize − 1),
 *   l1 = src − i0, l0 = 1 − l1;  y = Σ over the 2×2 taps of (row weight)·(column weight)·x.
 * Our own kernels because tfjs's ResizeBilinearGrad ignores halfPixelCenters: the gradient of
 * tf.image.resizeBilinear(…, halfPixelCenters = true) is wrong. One dispatch forward (one
 * invocation per output element), one backward written as a gather (one invocation per input
 * element, summing the outputs that read it): no atomics, deterministic. The gather visits about
 * (2/scale + 3)² outputs per input element, each recomputing its taps: at 8× that is ~6 reads per
 * dy element, the same order as the forward's 4 per output.
 * Both shaders compute the taps with the same WGSL function from the same f32 scales, so the
 * backward is the exact adjoint of the forward's tap choice.
 */

const WORKGROUP = 64;

const COMMON_WGSL = /* wgsl */ `
struct Uniforms {
  TOTAL: u32,
  CHANNELS: u32,
  IN_H: u32,
  IN_W: u32,
  OUT_H: u32,
  OUT_W: u32,
  SCALE_H: f32,
  SCALE_W: f32,
};

struct Taps { i0: u32, i1: u32, l0: f32, l1: f32 };

// The two inputs output coordinate dst reads along one axis, and their weights.
fn taps(dst: u32, scale: f32, inSize: u32) -> Taps {
  let src = max(scale * (f32(dst) + 0.5) - 0.5, 0.0);
  // src < inSize − 0.5 in exact arithmetic; the min only guards the reads.
  let i0 = min(u32(src), inSize - 1u);
  let i1 = select(i0, i0 + 1u, i0 < inSize - 1u);
  let l1 = src - f32(i0);
  return Taps(i0, i1, 1.0 - l1, l1);
}`;

const FORWARD_WGSL = /* wgsl */ `${COMMON_WGSL}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.TOTAL) { return; }
  let c = i % u.CHANNELS;
  let pixel = i / u.CHANNELS;
  let ox = pixel % u.OUT_W;
  let rest = pixel / u.OUT_W;
  let oy = rest % u.OUT_H;
  let n = rest / u.OUT_H;
  let ty = taps(oy, u.SCALE_H, u.IN_H);
  let tx = taps(ox, u.SCALE_W, u.IN_W);
  let row0 = (n * u.IN_H + ty.i0) * u.IN_W;
  let row1 = (n * u.IN_H + ty.i1) * u.IN_W;
  let top =
    tx.l0 * x[(row0 + tx.i0) * u.CHANNELS + c] + tx.l1 * x[(row0 + tx.i1) * u.CHANNELS + c];
  let bottom =
    tx.l0 * x[(row1 + tx.i0) * u.CHANNELS + c] + tx.l1 * x[(row1 + tx.i1) * u.CHANNELS + c];
  y[i] = ty.l0 * top + ty.l1 * bottom;
}`;

const BACKWARD_WGSL = /* wgsl */ `${COMMON_WGSL}
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;

// The weight with which output dst reads input s along one axis (both taps when they coincide).
fn weight(dst: u32, s: u32, scale: f32, inSize: u32) -> f32 {
  let t = taps(dst, scale, inSize);
  return select(0.0, t.l0, t.i0 == s) + select(0.0, t.l1, t.i1 == s);
}

// [first, end) of the outputs that can read input s: those whose src lies in [s − 1, s + 1), i.e.
// ((2s − 1)·out − in) / 2in ≤ dst < ((2s + 3)·out − in) / 2in, widened by one on each side
// against the rounding of the f32 scale. (Integer division truncates: ≥ floor, = ceil below 0.)
fn readers(s: u32, inSize: u32, outSize: u32) -> vec2<u32> {
  let den = 2 * i32(inSize);
  let low = (2 * i32(s) - 1) * i32(outSize) - i32(inSize);
  let high = (2 * i32(s) + 3) * i32(outSize) - i32(inSize);
  let first = max(low / den - 1, 0);
  let end = clamp(high / den + 2, first, i32(outSize));
  return vec2<u32>(u32(first), u32(end));
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= u.TOTAL) { return; }
  let c = i % u.CHANNELS;
  let pixel = i / u.CHANNELS;
  let ix = pixel % u.IN_W;
  let rest = pixel / u.IN_W;
  let iy = rest % u.IN_H;
  let n = rest / u.IN_H;
  let rows = readers(iy, u.IN_H, u.OUT_H);
  let columns = readers(ix, u.IN_W, u.OUT_W);
  var sum = 0.0;
  for (var oy = rows.x; oy < rows.y; oy++) {
    let wy = weight(oy, iy, u.SCALE_H, u.IN_H);
    if (wy == 0.0) { continue; }
    let row = (n * u.OUT_H + oy) * u.OUT_W;
    var rowSum = 0.0;
    for (var ox = columns.x; ox < columns.y; ox++) {
      rowSum += weight(ox, ix, u.SCALE_W, u.IN_W) * dy[(row + ox) * u.CHANNELS + c];
    }
    sum += wy * rowSum;
  }
  dx[i] = sum;
}`;

const FORWARD: ShaderSource = { code: FORWARD_WGSL, label: 'bilinear-upsample' };
const BACKWARD: ShaderSource = { code: BACKWARD_WGSL, label: 'bilinear-upsample-backward' };

/** Both shaders, to compile ahead. */
export const BILINEAR_UPSAMPLE_SHADERS: ShaderSource[] = [FORWARD, BACKWARD];

function checkSize(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`bilinear upsample: ${what} must be a positive integer, not ${value}`);
  }
}

/**
 * `x` [n, h, w, c] resized to [n, height, width, c] as above, differentiable. `x` itself (no
 * dispatch) when it already has that size. On a backend other than WebGPU, the same resize as two
 * interpolation matrices applied with tf.matMul (tfjs differentiates those correctly).
 */
export function bilinearUpsample(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, inH, inW, channels] = x.shape;
  checkSize('height', height);
  checkSize('width', width);
  checkSize('the input height', inH);
  checkSize('the input width', inW);
  checkSize('the channel count', channels);
  checkSize('the batch', n);
  if (inH === height && inW === width) return x;
  if (tf.getBackend() !== 'webgpu') return matrixResize(x, height, width);
  const outShape = [n, height, width, channels];
  const common = [channels, inH, inW, height, width, f32(inH / height), f32(inW / width)];
  const outSize = n * height * width * channels;
  const inSize = x.size;
  const op = tf.customGrad((xIn) => ({
    value: runProgram(
      {
        ...FORWARD,
        uniforms: [outSize, ...common],
        grid: workgroupGrid(Math.ceil(outSize / WORKGROUP)),
      },
      [xIn as tf.Tensor],
      outShape,
    ),
    gradFunc: (dy: tf.Tensor) =>
      runProgram(
        {
          ...BACKWARD,
          uniforms: [inSize, ...common],
          grid: workgroupGrid(Math.ceil(inSize / WORKGROUP)),
        },
        [dy],
        x.shape,
      ),
  }));
  return op(x) as tf.Tensor4D;
}

/** [outSize, inSize]: row dst holds the weights with which output dst reads each input. */
function interpolationMatrix(inSize: number, outSize: number): tf.Tensor2D {
  const scale = inSize / outSize;
  const m = new Float32Array(outSize * inSize);
  for (let dst = 0; dst < outSize; dst++) {
    const src = Math.max(scale * (dst + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const l1 = src - i0;
    m[dst * inSize + i0] = m[dst * inSize + i0]! + (1 - l1);
    m[dst * inSize + i1] = m[dst * inSize + i1]! + l1;
  }
  return tf.tensor2d(m, [outSize, inSize]);
}

/** The fallback: rows then columns, each one 2-D matMul over the other three axes flattened. */
function matrixResize(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, inH, inW, c] = x.shape;
  return tf.tidy(() => {
    // [h, n·w·c] → [H, n·w·c]
    const rows = tf.matMul(
      interpolationMatrix(inH, height),
      tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [inH, n * inW * c]),
    );
    // [H, n, w, c] → [w, n·H·c] → [W, n·H·c]
    const byColumn = tf.transpose(tf.reshape(rows, [height, n, inW, c]), [2, 1, 0, 3]);
    const columns = tf.matMul(
      interpolationMatrix(inW, width),
      tf.reshape(byColumn, [inW, n * height * c]),
    );
    // [W, n, H, c] → [n, H, W, c]
    return tf.transpose(tf.reshape(columns, [width, n, height, c]), [1, 2, 0, 3]);
  });
}
