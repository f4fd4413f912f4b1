import * as tf from '@tensorflow/tfjs-core';
import {
  convShapeKey,
  type ConvFamily,
  type ConvOp,
  type KernelSetting,
} from '../../tuning-plan/plan';
import { activeFailpoints } from '../faults/failpoints';
import { packChannels, unpackChannels } from '../packed/pack';
import type { ConvGeometry } from './conv-geometry';
import {
  conv2dDirect,
  conv2dFilterGradDirect,
  conv2dInputGradDirect,
  directConvApplies,
  directConvShaders,
} from './direct-conv';
import { F32, formatKey, type NumberFormat } from '../../config/number-format';
import type { ShaderSource } from './dispatch';
import {
  conv2dFilterGradTiled,
  conv2dInputGradTiled,
  conv2dTiled,
  defaultTileShape,
  TILE_SHAPES,
  tileShapeFits,
  tiledConvApplies,
  tiledConvShaders,
  type TileShape,
} from './tiled-conv';
import {
  conv2dFilterGradTiled2,
  conv2dInputGradTiled2,
  conv2dTiled2,
  TILE_SHAPES_2,
  tileShape2Fits,
  tileShape2Suits,
  tiledConv2Applies,
  tiledConv2Shaders,
  type TileShape2,
} from './tiled-conv-v2';

/**
 * Every implementation of a convolution op behind one interface, so that the autotuner can time
 * them against each other and the model can run whichever won:
 * - `direct`: kernels/direct-conv.ts (no workgroup memory; channels in multiples of 4);
 * - `tiled-…`: kernels/tiled-conv.ts, implicit GEMM through workgroup memory, one entry per tile
 *   shape (any channels, every format; even channels under f16 storage);
 * - `tiled2-…`: kernels/tiled-conv-v2.ts, the same GEMMs with outer products, a double-buffered
 *   K loop and the layer's geometry compiled in (any channels in f32, even ones under f16 storage;
 *   no f16 arithmetic). Family 'tiled' too, but never a default: only the tuner picks them,
 *   where they measured faster;
 * - `tfjs`: stock tf.conv2d and its gradients (f32 only: tfjs has no f16, nor packed storage).
 *
 * Under f16 storage the tensors the ops take and return are packed (C/2 words on the last
 * axis; the filter gradient is f32) while `g` keeps the logical channel counts.
 */

type Shape4 = [number, number, number, number];

/** The device limits a kernel must fit (GPUSupportedLimits, or a test's own). */
export type KernelLimits = Pick<
  GPUSupportedLimits,
  | 'maxStorageBufferBindingSize'
  | 'maxComputeWorkgroupStorageSize'
  | 'maxComputeInvocationsPerWorkgroup'
>;

export interface ConvKernel {
  /** Stable id, stored in the tuning cache: 'direct', 'tfjs', 'tiled-64x64', … */
  id: string;
  family: ConvFamily;
  applies(op: ConvOp, g: ConvGeometry, format: NumberFormat): boolean;
  /** Whether its workgroups fit the device (operands are checked for every kernel alike). */
  fits(format: NumberFormat, limits: KernelLimits): boolean;
  /** Our pipelines the op runs (none for tfjs, whose own are compiled by its dry run). */
  shaders(op: ConvOp, g: ConvGeometry, format: NumberFormat): ShaderSource[];
  forward(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, p: NumberFormat): tf.Tensor4D;
  inputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, p: NumberFormat): tf.Tensor4D;
  filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, p: NumberFormat): tf.Tensor4D;
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
  // 64 invocations, no workgroup memory: within every adapter's limits.
  fits: () => true,
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
    fits: (p, limits) => tileShapeFits(shape, p, limits),
    shaders: (op, g, p) => tiledConvShaders(op, g, p, shape),
    forward: (x, w, g, p) => conv2dTiled(x, w, g.stride, g.pad, p, shape),
    inputGrad: (dy, w, g, p) => conv2dInputGradTiled(dy, w, inShape(g), g.stride, g.pad, p, shape),
    filterGrad: (x, dy, g, p) =>
      conv2dFilterGradTiled(x, dy, filterShape(g), g.stride, g.pad, p, shape),
  };
}

/**
 * A second-generation tile shape: offered only where its tileN suits the op's N (wider tiles
 * multiply zero columns, and each candidate costs the tuner a compile per layer).
 */
function tiled2Kernel(shape: TileShape2): ConvKernel {
  return {
    id: shape.id,
    family: 'tiled',
    applies: (op, g, p) => tiledConv2Applies(g, p) && tileShape2Suits(shape, op, g),
    fits: (_p, limits) => tileShape2Fits(shape, limits),
    shaders: (op, g, p) => tiledConv2Shaders(op, g, p, shape),
    forward: (x, w, g, p) => conv2dTiled2(x, w, g.stride, g.pad, shape, p),
    inputGrad: (dy, w, g, p) => conv2dInputGradTiled2(dy, w, inShape(g), g.stride, g.pad, shape, p),
    filterGrad: (x, dy, g, p) =>
      conv2dFilterGradTiled2(x, dy, filterShape(g), g.stride, g.pad, shape, p),
  };
}

const TFJS: ConvKernel = {
  id: 'tfjs',
  family: 'tfjs',
  applies: (_op, _g, p) => p === F32,
  // tfjs sizes its own workgroups to the device.
  fits: () => true,
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

/**
 * The failpoint wrong:<id> (faults/failpoints.ts): every output of that kernel becomes 1.5·y + 1,
 * as a driver bug might make it, for the tuner's check on the device to catch. Activation outputs
 * under f16 storage are unpacked, perturbed and packed again.
 */
function perturbedWhenWrong(kernel: ConvKernel): ConvKernel {
  const perturb = <T extends tf.Tensor>(out: T, p: NumberFormat, packed: boolean): T => {
    if (!activeFailpoints().wrong.has(kernel.id)) return out;
    const wrong = tf.tidy(() => {
      if (!packed || p.storage === 'f32') return tf.add(tf.mul(out, 1.5), 1);
      const channels = 2 * out.shape[out.shape.length - 1]!;
      return packChannels(tf.add(tf.mul(unpackChannels(out, channels), 1.5), 1), channels);
    });
    out.dispose();
    return wrong as T;
  };
  return {
    ...kernel,
    forward: (x, w, g, p) => perturb(kernel.forward(x, w, g, p), p, true),
    inputGrad: (dy, w, g, p) => perturb(kernel.inputGrad(dy, w, g, p), p, true),
    filterGrad: (x, dy, g, p) => perturb(kernel.filterGrad(x, dy, g, p), p, false),
  };
}

export const CONV_KERNELS: readonly ConvKernel[] = [
  DIRECT,
  ...TILE_SHAPES.map(tiledKernel),
  ...TILE_SHAPES_2.map(tiled2Kernel),
  TFJS,
].map(perturbedWhenWrong);
const BY_ID = new Map(CONV_KERNELS.map((k) => [k.id, k]));
export const CONV_KERNEL_IDS: ReadonlySet<string> = new Set(BY_ID.keys());

export function convKernelById(id: string): ConvKernel | undefined {
  return BY_ID.get(id);
}

/**
 * Bytes of the largest operand or output of the op (x, w, dy or the result), as stored: packed
 * activations and weights take half. Every kernel binds them whole.
 */
export function largestOperandBytes(g: ConvGeometry, p: NumberFormat): number {
  const x = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const dy = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const w = g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels;
  const bytes = p.storage === 'f16' ? 2 : 4;
  // The filter gradient is f32 in every format.
  return Math.max(x * bytes, dy * bytes, w * 4);
}

/**
 * The kernels that can run this op, in the order they are timed; with `limits`, only those that
 * fit the device (none when an operand exceeds one binding: the pre-flight refuses such a run).
 */
export function convCandidates(
  op: ConvOp,
  g: ConvGeometry,
  p: NumberFormat,
  limits?: KernelLimits,
): ConvKernel[] {
  const applicable = CONV_KERNELS.filter((k) => k.applies(op, g, p));
  if (!limits) return applicable;
  if (largestOperandBytes(g, p) > limits.maxStorageBufferBindingSize) return [];
  return applicable.filter((k) => k.fits(p, limits));
}

/** The kernel of `family` for this op when it applies (a tiled family picks its tile shape). */
function familyKernel(
  family: ConvFamily,
  op: ConvOp,
  g: ConvGeometry,
  p: NumberFormat,
  excluded: ReadonlySet<string>,
): ConvKernel | null {
  const kernel = family === 'tiled' ? BY_ID.get(defaultTileShape(op, g).id)! : BY_ID.get(family)!;
  return kernel.applies(op, g, p) && !excluded.has(kernel.id) ? kernel : null;
}

/**
 * Without a tuned choice: direct where the channels allow, else stock tfjs (f32) or tiled, then
 * any other tile shape; never an `excluded` kernel (one that did not compile on this GPU). Only a
 * f16 storage with odd channels, or every applicable kernel excluded, has none.
 */
export function defaultConvKernel(
  op: ConvOp,
  g: ConvGeometry,
  p: NumberFormat,
  excluded: ReadonlySet<string> = new Set(),
): ConvKernel {
  const kernel =
    familyKernel('direct', op, g, p, excluded) ??
    familyKernel(p === F32 ? 'tfjs' : 'tiled', op, g, p, excluded) ??
    familyKernel('tiled', op, g, p, excluded) ??
    CONV_KERNELS.find((k) => k.applies(op, g, p) && !excluded.has(k.id));
  if (!kernel) {
    const without = excluded.size > 0 ? ` (excluded on this GPU: ${[...excluded].join(', ')})` : '';
    throw new Error(
      `no ${formatKey(p)} conv kernel for ${g.inChannels}→${g.outChannels} channels${without}`,
    );
  }
  return kernel;
}

/**
 * The one rule that picks a convolution's kernel, used by the ops and by the ahead-of-time
 * compile alike: a forced family where it applies; under 'auto', the tuned choice for this exact
 * shape; otherwise the default. An `excluded` kernel is never picked.
 */
export function chooseConvKernel(
  op: ConvOp,
  g: ConvGeometry,
  p: NumberFormat,
  setting: KernelSetting,
  tuned: ReadonlyMap<string, string>,
  excluded: ReadonlySet<string> = new Set(),
): ConvKernel {
  if (setting !== 'auto') {
    return familyKernel(setting, op, g, p, excluded) ?? defaultConvKernel(op, g, p, excluded);
  }
  const id = tuned.get(convShapeKey(op, g, p));
  const kernel = id === undefined ? undefined : BY_ID.get(id);
  return kernel?.applies(op, g, p) && !excluded.has(kernel.id)
    ? kernel
    : defaultConvKernel(op, g, p, excluded);
}

/** The conv kernel a pipeline label belongs to (labels start with the kernel id), if any. */
export function convKernelOfLabel(label: string): ConvKernel | undefined {
  return BY_ID.get(label.split(' ')[0]!);
}
