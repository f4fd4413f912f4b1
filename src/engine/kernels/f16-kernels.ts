import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry } from './conv-geometry';
import { pipelineFor, runKernel, webgpuDevice, workgroupGrid, type ShaderSource } from './dispatch';
import {
  gemmUniforms,
  gemmWgsl,
  REDUCE_SPLITS_WGSL,
  TILE_K,
  TILE_M,
  TILE_N,
  type GemmSpec,
  type Precision,
} from './gemm-wgsl';

/**
 * The heavy work of a training step in f16 (or emulated f16): conv2d forward, its input and
 * filter gradients, and the FC matmul with its two gradients. Inputs are f32 tensors (weights
 * are the f32 master copies); each kernel casts to f16 as it loads, accumulates in f32 and
 * returns f32 tensors holding f16 values.
 */

/** Enough workgroups to fill a big GPU; split-K kicks in when M×N alone gives fewer. */
const TARGET_WORKGROUPS = 256;
/** Each split keeps at least this many k values (amortizes the partial-sum pass). */
const MIN_K_PER_SPLIT = 8 * TILE_K;

function splitsFor(M: number, N: number, K: number): number {
  const tiles = Math.ceil(M / TILE_M) * Math.ceil(N / TILE_N);
  if (tiles >= TARGET_WORKGROUPS) return 1;
  const byWork = Math.ceil(TARGET_WORKGROUPS / tiles);
  const byK = Math.max(1, Math.floor(K / MIN_K_PER_SPLIT));
  return Math.max(1, Math.min(byWork, byK, 64));
}

type ShapedSpec = Omit<GemmSpec, 'splits'>;

/** A GEMM's shader: it depends on the loaders and the precision only, never on the shape. */
function gemmShader(name: string, spec: ShapedSpec, precision: Precision): ShaderSource {
  return { code: gemmWgsl({ ...spec, splits: 1 }, precision), label: `${name}-${precision}` };
}

const REDUCE_SPLITS_SHADER: ShaderSource = { code: REDUCE_SPLITS_WGSL, label: 'reduce-splits' };

function gemm(
  name: string,
  spec: ShapedSpec,
  inputs: tf.Tensor[],
  outputShape: number[],
  precision: Precision,
): tf.Tensor {
  const splits = splitsFor(spec.M, spec.N, spec.K);
  const full: GemmSpec = { ...spec, splits };
  const groupsX = Math.ceil(spec.N / TILE_N);
  const groupsY = Math.ceil(spec.M / TILE_M);
  const maxGroups = webgpuDevice().limits.maxComputeWorkgroupsPerDimension;
  if (groupsX > maxGroups || groupsY > maxGroups) {
    throw new Error(`${name}: ${spec.M}×${spec.N} output exceeds the adapter's dispatch limit`);
  }
  const shader = gemmShader(name, spec, precision);
  const pipeline = pipelineFor(shader.code, shader.label);
  const uniforms = gemmUniforms(full).map(([, v]) => v);
  if (splits === 1) {
    return runKernel(pipeline, inputs, uniforms, outputShape, [groupsX, groupsY, 1]);
  }
  const size = spec.M * spec.N;
  const partials = runKernel(
    pipeline,
    inputs,
    uniforms,
    [splits, size],
    [groupsX, groupsY, splits],
  );
  const reduce = pipelineFor(REDUCE_SPLITS_SHADER.code, REDUCE_SPLITS_SHADER.label);
  const out = runKernel(
    reduce,
    [partials],
    [splits, size],
    outputShape,
    workgroupGrid(Math.ceil(size / 64)),
  );
  partials.dispose();
  return out;
}

function geometryConstants(g: ConvGeometry): Record<string, number> {
  return {
    BATCH: g.batch,
    H: g.inHeight,
    W: g.inWidth,
    CI: g.inChannels,
    KH: g.kernelHeight,
    KW: g.kernelWidth,
    CO: g.outChannels,
    S: g.stride,
    P: g.pad,
    OH: g.outHeight,
    OW: g.outWidth,
  };
}

/** x[n, oh·S + kh − P, ow·S + kw − P, ci], 0 in the padding. */
const X_AT = /* wgsl */ `
  let ih = i32(oh * u.S + kh) - i32(u.P);
  let iw = i32(ow * u.S + kw) - i32(u.P);
  if (ih < 0 || iw < 0 || ih >= i32(u.H) || iw >= i32(u.W)) { return 0.0; }
  return x[((n * u.H + u32(ih)) * u.W + u32(iw)) * u.CI + ci];`;

/** y = conv2d(x, w): x [n, h, w, cin], w [kh, kw, cin, cout], symmetric padding `pad`. */
/** Implicit GEMM: rows (n, oh, ow), columns cout, k = (kh, kw, ci) — w is already [K, cout]. */
function conv2dSpec(g: ConvGeometry): ShapedSpec {
  return {
    M: g.batch * g.outHeight * g.outWidth,
    N: g.outChannels,
    K: g.kernelHeight * g.kernelWidth * g.inChannels,
    inputs: ['x', 'w'],
    constants: geometryConstants(g),
    loadA: `  let ow = m % u.OW; let oh = (m / u.OW) % u.OH; let n = m / (u.OW * u.OH);
  let ci = k % u.CI; let kw = (k / u.CI) % u.KW; let kh = k / (u.CI * u.KW);${X_AT}`,
    loadB: '  return w[k * u.CO + n];',
  };
}

export function conv2dF16(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  precision: Precision,
): tf.Tensor4D {
  const g = convGeometry(x.shape, w.shape, stride, pad);
  const shape = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  return gemm('conv2d', conv2dSpec(g), [x, w], shape, precision) as tf.Tensor4D;
}

/** dL/dx of conv2dF16 given dy = dL/dy [n, oh, ow, cout]. */
/** Rows (n, h, w), columns ci, k = (kh, kw, co): dy at oh = (h + P − kh)/S when that divides. */
function conv2dInputGradSpec(g: ConvGeometry): ShapedSpec {
  return {
    M: g.batch * g.inHeight * g.inWidth,
    N: g.inChannels,
    K: g.kernelHeight * g.kernelWidth * g.outChannels,
    inputs: ['dy', 'w'],
    constants: geometryConstants(g),
    loadA: `  let iw = m % u.W; let ih = (m / u.W) % u.H; let n = m / (u.W * u.H);
  let co = k % u.CO; let kw = (k / u.CO) % u.KW; let kh = k / (u.CO * u.KW);
  let th = i32(ih + u.P) - i32(kh);
  let tw = i32(iw + u.P) - i32(kw);
  if (th < 0 || tw < 0) { return 0.0; }
  let oh = u32(th) / u.S; let ow = u32(tw) / u.S;
  if (oh * u.S != u32(th) || ow * u.S != u32(tw) || oh >= u.OH || ow >= u.OW) { return 0.0; }
  return dy[((n * u.OH + oh) * u.OW + ow) * u.CO + co];`,
    loadB: `  let co = k % u.CO; let kw = (k / u.CO) % u.KW; let kh = k / (u.CO * u.KW);
  return w[((kh * u.KW + kw) * u.CI + n) * u.CO + co];`,
  };
}

export function conv2dInputGradF16(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  pad: number,
  precision: Precision,
): tf.Tensor4D {
  const spec = conv2dInputGradSpec(convGeometry(xShape, w.shape, stride, pad));
  return gemm('conv2d-dx', spec, [dy, w], [...xShape], precision) as tf.Tensor4D;
}

/** Rows (kh, kw, ci), columns co, k = (n, oh, ow): dy is already [K, cout]. */
function conv2dFilterGradSpec(g: ConvGeometry): ShapedSpec {
  return {
    M: g.kernelHeight * g.kernelWidth * g.inChannels,
    N: g.outChannels,
    K: g.batch * g.outHeight * g.outWidth,
    inputs: ['x', 'dy'],
    constants: geometryConstants(g),
    loadA: `  let ci = m % u.CI; let kw = (m / u.CI) % u.KW; let kh = m / (u.CI * u.KW);
  let ow = k % u.OW; let oh = (k / u.OW) % u.OH; let n = k / (u.OW * u.OH);${X_AT}`,
    loadB: '  return dy[k * u.CO + n];',
  };
}

/** dL/dw of conv2dF16 given x and dy. */
export function conv2dFilterGradF16(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  wShape: [number, number, number, number],
  stride: number,
  pad: number,
  precision: Precision,
): tf.Tensor4D {
  const spec = conv2dFilterGradSpec(convGeometry(x.shape, wShape, stride, pad));
  return gemm('conv2d-dw', spec, [x, dy], [...wShape], precision) as tf.Tensor4D;
}

/** The FC layer y = x·w, x [b, cin], w [cin, cout]. */
function matMulSpec(b: number, cin: number, cout: number): ShapedSpec {
  return {
    M: b,
    N: cout,
    K: cin,
    inputs: ['x', 'w'],
    constants: { CIN: cin, COUT: cout },
    loadA: '  return x[m * u.CIN + k];',
    loadB: '  return w[k * u.COUT + n];',
  };
}

/** dL/dx = dy · wᵀ. */
function matMulInputGradSpec(b: number, cin: number, cout: number): ShapedSpec {
  return {
    M: b,
    N: cin,
    K: cout,
    inputs: ['dy', 'w'],
    constants: { CIN: cin, COUT: cout },
    loadA: '  return dy[m * u.COUT + k];',
    loadB: '  return w[n * u.COUT + k];',
  };
}

/** dL/dw = xᵀ · dy. */
function matMulFilterGradSpec(b: number, cin: number, cout: number): ShapedSpec {
  return {
    M: cin,
    N: cout,
    K: b,
    inputs: ['x', 'dy'],
    constants: { CIN: cin, COUT: cout },
    loadA: '  return x[k * u.CIN + m];',
    loadB: '  return dy[k * u.COUT + n];',
  };
}

/** x [b, cin] · w [cin, cout]. */
export function matMulF16(x: tf.Tensor2D, w: tf.Tensor2D, precision: Precision): tf.Tensor2D {
  const [b, cin] = x.shape;
  const [win, cout] = w.shape;
  if (win !== cin) throw new Error(`matMul: x has ${cin} columns, w has ${win} rows`);
  const spec = matMulSpec(b, cin, cout);
  return gemm('matmul', spec, [x, w], [b, cout], precision) as tf.Tensor2D;
}

/** dL/dx = dy · wᵀ for y = x·w. */
export function matMulInputGradF16(
  dy: tf.Tensor2D,
  w: tf.Tensor2D,
  precision: Precision,
): tf.Tensor2D {
  const [b, cout] = dy.shape;
  const [cin] = w.shape;
  const spec = matMulInputGradSpec(b, cin, cout);
  return gemm('matmul-dx', spec, [dy, w], [b, cin], precision) as tf.Tensor2D;
}

/** dL/dw = xᵀ · dy for y = x·w. */
export function matMulFilterGradF16(
  x: tf.Tensor2D,
  dy: tf.Tensor2D,
  precision: Precision,
): tf.Tensor2D {
  const [b, cin] = x.shape;
  const [, cout] = dy.shape;
  const spec = matMulFilterGradSpec(b, cin, cout);
  return gemm('matmul-dw', spec, [x, dy], [cin, cout], precision) as tf.Tensor2D;
}

/**
 * The shaders of the FC layer and its two gradients, to compile ahead of the first step (they do
 * not depend on the shape), with the split-K reduction they may use.
 */
export function matMulShaders(precision: Precision): ShaderSource[] {
  return [
    gemmShader('matmul', matMulSpec(1, 1, 1), precision),
    gemmShader('matmul-dx', matMulInputGradSpec(1, 1, 1), precision),
    gemmShader('matmul-dw', matMulFilterGradSpec(1, 1, 1), precision),
    REDUCE_SPLITS_SHADER,
  ];
}

/** The GEMM shaders of a convolution whose channels the direct kernels cannot take. */
export function convGemmShaders(g: ConvGeometry, precision: Precision): ShaderSource[] {
  return [
    gemmShader('conv2d', conv2dSpec(g), precision),
    gemmShader('conv2d-dx', conv2dInputGradSpec(g), precision),
    gemmShader('conv2d-dw', conv2dFilterGradSpec(g), precision),
    REDUCE_SPLITS_SHADER,
  ];
}
