import * as tf from '@tensorflow/tfjs';
import {
  convShapeKey,
  type ConvFamily,
  type ConvOp,
  type KernelSetting,
} from '../../autotune/plan';
import type { ConvGeometry } from './conv-geometry';
import {
  conv2dDirect,
  conv2dFilterGradDirect,
  conv2dInputGradDirect,
  directConvApplies,
  directConvShaders,
  type ConvPrecision,
} from './direct-conv';
import type { ShaderSource } from './dispatch';
import {
  conv2dFilterGradTiled,
  conv2dInputGradTiled,
  conv2dTiled,
  defaultTileShape,
  TILE_SHAPES,
  tiledConvApplies,
  tiledConvShaders,
  type TileShape,
} from './tiled-conv';

/**
 * Every implementation of a convolution op behind one interface, so that the autotuner can time
 * them against each other and the model can run whichever won:
 * - `direct`: kernels/direct-conv.ts (no workgroup memory; channels in multiples of 4);
 * - `tiled-…`: kernels/tiled-conv.ts, implicit GEMM through workgroup memory, one entry per tile
 *   shape (any channels, every precision; even channels in the packed ones);
 * - `tfjs`: stock tf.conv2d and its gradients (f32 only: tfjs has no f16, nor packed storage).
 *
 * In the packed precisions the tensors the ops take and return are packed (C/2 words on the last
 * axis; the filter gradient is f32) while `g` keeps the logical channel counts.
 */

type Shape4 = [number, number, number, number];

export interface ConvKernel {
  /** Stable id, stored in the tuning cache: 'direct', 'tfjs', 'tiled-64x64', … */
  id: string;
  family: ConvFamily;
  applies(op: ConvOp, g: ConvGeometry, precision: ConvPrecision): boolean;
  /** Our pipelines the op runs (none for tfjs, whose own are compiled by its dry run). */
  shaders(op: ConvOp, g: ConvGeometry, precision: ConvPrecision): ShaderSource[];
  forward(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, p: ConvPrecision): tf.Tensor4D;
  inputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, p: ConvPrecision): tf.Tensor4D;
  filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, p: ConvPrecision): tf.Tensor4D;
}

const inShape = (g: ConvGeometry): Shape4 => [g.batch, g.inHeight, g.inWidth, g.inChannels];
const filterShape = (g: ConvGeometry): Shape4 => [
  g.kernelHeight,
  g.kernelWidth,
  g.inChannels,
  g.outChannels,
];

const DIRECT: ConvKernel = {
  id: 'direct',
  family: 'direct',
  applies: (_op, g) => directConvApplies(g.inChannels, g.outChannels),
  shaders: directConvShaders,
  forward: (x, w, g, p) => conv2dDirect(x, w, g.stride, g.pad, p),
  inputGrad: (dy, w, g, p) => conv2dInputGradDirect(dy, w, inShape(g), g.stride, g.pad, p),
  filterGrad: (x, dy, g, p) => conv2dFilterGradDirect(x, dy, filterShape(g), g.stride, g.pad, p),
};

function tiledKernel(shape: TileShape): ConvKernel {
  return {
    id: shape.id,
    family: 'tiled',
    applies: (_op, g, p) => tiledConvApplies(g, p),
    shaders: (op, g, p) => tiledConvShaders(op, g, p, shape),
    forward: (x, w, g, p) => conv2dTiled(x, w, g.stride, g.pad, p, shape),
    inputGrad: (dy, w, g, p) => conv2dInputGradTiled(dy, w, inShape(g), g.stride, g.pad, p, shape),
    filterGrad: (x, dy, g, p) =>
      conv2dFilterGradTiled(x, dy, filterShape(g), g.stride, g.pad, p, shape),
  };
}

const TFJS: ConvKernel = {
  id: 'tfjs',
  family: 'tfjs',
  applies: (_op, _g, p) => p === 'f32',
  shaders: () => [],
  forward: (x, w, g) => tf.conv2d(x, w, g.stride, g.pad),
  inputGrad: (dy, w, g) => tf.conv2dTranspose(dy, w, inShape(g), g.stride, g.pad),
  // Not a public op in tfjs 4; the kernel is what conv2d's own gradient runs.
  filterGrad: (x, dy, g) =>
    tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: g.stride, pad: g.pad, dataFormat: 'NHWC', filterShape: filterShape(g) },
      ) as tf.Tensor4D,
};

export const CONV_KERNELS: readonly ConvKernel[] = [DIRECT, ...TILE_SHAPES.map(tiledKernel), TFJS];
const BY_ID = new Map(CONV_KERNELS.map((k) => [k.id, k]));
export const CONV_KERNEL_IDS: ReadonlySet<string> = new Set(BY_ID.keys());

export function convKernelById(id: string): ConvKernel | undefined {
  return BY_ID.get(id);
}

/** The kernels that can run this op, in the order they are timed. */
export function convCandidates(op: ConvOp, g: ConvGeometry, p: ConvPrecision): ConvKernel[] {
  return CONV_KERNELS.filter((k) => k.applies(op, g, p));
}

/** The kernel of `family` for this op when it applies (a tiled family picks its tile shape). */
function familyKernel(
  family: ConvFamily,
  op: ConvOp,
  g: ConvGeometry,
  p: ConvPrecision,
): ConvKernel | null {
  const kernel = family === 'tiled' ? BY_ID.get(defaultTileShape(op, g).id)! : BY_ID.get(family)!;
  return kernel.applies(op, g, p) ? kernel : null;
}

/**
 * Without a tuned choice: direct where the channels allow, else stock tfjs (f32) or tiled. Only
 * a packed precision with odd channels has no kernel (packed activations have even channels).
 */
export function defaultConvKernel(op: ConvOp, g: ConvGeometry, p: ConvPrecision): ConvKernel {
  const kernel =
    familyKernel('direct', op, g, p) ??
    familyKernel(p === 'f32' ? 'tfjs' : 'tiled', op, g, p) ??
    familyKernel('tiled', op, g, p);
  if (!kernel) {
    throw new Error(`no ${p} conv kernel for ${g.inChannels}→${g.outChannels} channels`);
  }
  return kernel;
}

/**
 * The one rule that picks a convolution's kernel, used by the ops and by the ahead-of-time
 * compile alike: a forced family where it applies; under 'auto', the tuned choice for this exact
 * shape; otherwise the default.
 */
export function chooseConvKernel(
  op: ConvOp,
  g: ConvGeometry,
  p: ConvPrecision,
  setting: KernelSetting,
  tuned: ReadonlyMap<string, string>,
): ConvKernel {
  if (setting !== 'auto') return familyKernel(setting, op, g, p) ?? defaultConvKernel(op, g, p);
  const id = tuned.get(convShapeKey(op, g, p));
  const kernel = id === undefined ? undefined : BY_ID.get(id);
  return kernel?.applies(op, g, p) ? kernel : defaultConvKernel(op, g, p);
}
