import * as tf from '@tensorflow/tfjs-core';
import {
  backendDevice,
  runProgram,
  workgroupGrid,
  type ShaderSource,
  type FlaggedShader,
} from './dispatch';
import {
  gemmUniforms,
  gemmWgsl,
  reduceSplitsWgsl,
  TILE_K,
  TILE_M,
  TILE_N,
  type GemmSpec,
  type F16Arithmetic,
} from './gemm-wgsl';

/**
 * The FC layer of a training step in f16 (or emulated f16): the matmul and its two gradients
 * (convolutions are in conv-registry.ts). Inputs are f32 tensors (weights are the f32 master
 * copies); each kernel casts to f16 as it loads, accumulates in f32 and returns f32 tensors
 * holding f16 values.
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

/**
 * A GEMM's shader: it depends on the loaders and the arithmetic only, never on the shape. The
 * gradients' (`flagged`) raise the overflow flag when they round beyond the f16 range.
 */
function gemmShader(
  name: string,
  spec: ShapedSpec,
  arithmetic: F16Arithmetic,
  flagged: boolean,
): FlaggedShader {
  return {
    code: gemmWgsl({ ...spec, splits: 1 }, arithmetic, flagged),
    label: `${name}-${arithmetic}`,
    overflowFlag: flagged,
  };
}

const reduceSplitsShader = (flagged: boolean): FlaggedShader => ({
  code: reduceSplitsWgsl(flagged),
  label: flagged ? 'reduce-splits-gradient' : 'reduce-splits',
  overflowFlag: flagged,
});

function gemm(
  name: string,
  spec: ShapedSpec,
  inputs: tf.Tensor[],
  outputShape: number[],
  arithmetic: F16Arithmetic,
  flagged: boolean,
): tf.Tensor {
  const splits = splitsFor(spec.M, spec.N, spec.K);
  const full: GemmSpec = { ...spec, splits };
  const groupsX = Math.ceil(spec.N / TILE_N);
  const groupsY = Math.ceil(spec.M / TILE_M);
  const maxGroups = backendDevice().limits.maxComputeWorkgroupsPerDimension;
  if (groupsX > maxGroups || groupsY > maxGroups) {
    throw new Error(`${name}: ${spec.M}×${spec.N} output exceeds the adapter's dispatch limit`);
  }
  const shader = gemmShader(name, spec, arithmetic, flagged);
  const uniforms = gemmUniforms(full).map(([, v]) => v);
  if (splits === 1) {
    return runProgram({ ...shader, uniforms, grid: [groupsX, groupsY, 1] }, inputs, outputShape);
  }
  const size = spec.M * spec.N;
  const partials = runProgram({ ...shader, uniforms, grid: [groupsX, groupsY, splits] }, inputs, [
    splits,
    size,
  ]);
  const out = runProgram(
    {
      ...reduceSplitsShader(flagged),
      uniforms: [splits, size],
      grid: workgroupGrid(Math.ceil(size / 64)),
    },
    [partials],
    outputShape,
  );
  partials.dispose();
  return out;
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
export function matMulF16(x: tf.Tensor2D, w: tf.Tensor2D, arithmetic: F16Arithmetic): tf.Tensor2D {
  const [b, cin] = x.shape;
  const [win, cout] = w.shape;
  if (win !== cin) throw new Error(`matMul: x has ${cin} columns, w has ${win} rows`);
  const spec = matMulSpec(b, cin, cout);
  return gemm('matmul', spec, [x, w], [b, cout], arithmetic, false) as tf.Tensor2D;
}

/** dL/dx = dy · wᵀ for y = x·w. */
export function matMulInputGradF16(
  dy: tf.Tensor2D,
  w: tf.Tensor2D,
  arithmetic: F16Arithmetic,
): tf.Tensor2D {
  const [b, cout] = dy.shape;
  const [cin] = w.shape;
  const spec = matMulInputGradSpec(b, cin, cout);
  return gemm('matmul-dx', spec, [dy, w], [b, cin], arithmetic, true) as tf.Tensor2D;
}

/** dL/dw = xᵀ · dy for y = x·w. */
export function matMulFilterGradF16(
  x: tf.Tensor2D,
  dy: tf.Tensor2D,
  arithmetic: F16Arithmetic,
): tf.Tensor2D {
  const [b, cin] = x.shape;
  const [, cout] = dy.shape;
  const spec = matMulFilterGradSpec(b, cin, cout);
  return gemm('matmul-dw', spec, [x, dy], [cin, cout], arithmetic, true) as tf.Tensor2D;
}

/**
 * The shaders of the FC layer and its two gradients, to compile ahead of the first step (they do
 * not depend on the shape), with the split-K reduction they may use.
 */
export function matMulShaders(arithmetic: F16Arithmetic): ShaderSource[] {
  return [
    gemmShader('matmul', matMulSpec(1, 1, 1), arithmetic, false),
    gemmShader('matmul-dx', matMulInputGradSpec(1, 1, 1), arithmetic, true),
    gemmShader('matmul-dw', matMulFilterGradSpec(1, 1, 1), arithmetic, true),
    reduceSplitsShader(false),
    reduceSplitsShader(true),
  ];
}
