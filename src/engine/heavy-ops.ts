import * as tf from '@tensorflow/tfjs-core';
import { packedStorageFits, type ResNetSpec } from '../architecture';
import { CONV_OPS, type ConvOp, type KernelSetting } from '../tuning-plan/plan';
import { convGeometry, type ConvGeometry } from './kernels/conv-geometry';
import { chooseConvKernel, type ConvKernel } from './kernels/conv-registry';
import { directConvApplies, paddedChannels } from './kernels/direct-conv';
import { F32, numberFormat, type NumberFormat, type Storage } from '../config/number-format';
import { deviceHasShaderF16, type ShaderSource } from './kernels/dispatch';
import { customGradPerInput } from './gradient-per-input';
import { matMulF16, matMulFilterGradF16, matMulInputGradF16 } from './kernels/f16-kernels';
import type { F16Arithmetic } from './kernels/gemm-wgsl';
import { packChannels } from './packed';
import { batchToSpace, phaseGrid, phasesShape, spaceToBatch } from './kernels/space-to-batch';

/**
 * The two heavy ops of the ResNet, swappable: f32, §3.2's f16 on f32 storage, or FP16's packed f16
 * storage (packedOps, with f16 or f32 arithmetic), each convolution op (forward,
 * input gradient, filter gradient) run by the kernel that `kernels` chooses for its exact shape
 * (kernels/conv-registry.ts: direct, tiled or stock tfjs; tuned per adapter by
 * engine/autotune). Both are wired in with custom gradients (tf.customGrad, customGradPerInput)
 * so that the backward pass runs our kernels too. Weights stay f32 tensors (the master copies);
 * the f16 kernels cast them to f16 as they load.
 */
export interface HeavyOps {
  /**
   * Storage and arithmetic of the convolutions (config/number-format.ts). Activations are stored
   * between layers as f32 tensors, or under f16 storage as packed f16 (two per 32-bit word,
   * src/engine/packed/layout.ts): conv2d then takes and returns packed activations (its w is still
   * the f32 master weight), and only a training forward uses it.
   */
  format: NumberFormat;
  /**
   * `dilation` > 1 (FCN's backbone) needs stride 1 and "same" padding, dilation·(kernel − 1)/2:
   * our kernels run it as d² ordinary convolutions on the phases of x (dilatedConv).
   */
  conv2d(
    x: tf.Tensor4D,
    w: tf.Tensor4D,
    stride: number,
    pad: number,
    dilation?: number,
  ): tf.Tensor4D;
  matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D;
  /** Which kernel runs each convolution op; null for the stock reference ops. */
  kernels: ConvKernelChoice | null;
  /** Packed ops: the f32-storage ops that evaluation and prediction run (f32 tensors). */
  f32Storage?: HeavyOps;
}

/**
 * The arithmetic under f16 storage: 'f16' (needs 'shader-f16'), or 'f32' (pack2x16float and
 * unpack2x16float are core WGSL, so every adapter has it).
 */
export type PackedArithmetic = 'f16' | 'f32';

/**
 * The owner of the kernel choice of one set of ops: the setting, the tuned table, and the kernels
 * excluded on this GPU (they did not compile: the ahead-of-time compile found out).
 */
export interface ConvKernelChoice {
  readonly setting: KernelSetting;
  /** Tuned kernel ids by convShapeKey, filled by the autotuner before the first step. */
  readonly tuned: Map<string, string>;
  /** Kernel ids never to run on this device (the user heard why when they were excluded). */
  readonly excluded: Set<string>;
  choose(op: ConvOp, g: ConvGeometry): ConvKernel;
  /** Our shaders the three ops of this convolution will run (for compiling ahead). */
  shaders(g: ConvGeometry): ShaderSource[];
}

function kernelChoice(format: NumberFormat, setting: KernelSetting): ConvKernelChoice {
  const tuned = new Map<string, string>();
  const excluded = new Set<string>();
  const choose = (op: ConvOp, g: ConvGeometry) =>
    chooseConvKernel(op, g, format, setting, tuned, excluded);
  return {
    setting,
    tuned,
    excluded,
    choose,
    shaders: (g) => CONV_OPS.flatMap((op) => choose(op, g).shaders(op, g, format)),
  };
}

/** Stock TensorFlow.js f32 ops (reference for tests, and what non-WebGPU backends run). */
export const STOCK_F32_OPS: HeavyOps = {
  format: F32,
  conv2d: (x, w, stride, pad, dilation = 1) =>
    dilation === 1 ? tf.conv2d(x, w, stride, pad) : stockDilatedConv(x, w, stride, pad, dilation),
  matMul: (x, w) => tf.matMul(x, w),
  kernels: null,
};

/**
 * tfjs's conv2d has no gradient for dilation > 1, so the stock ops run the same phase
 * decomposition as ours (dilatedConv) with tfjs's own spaceToBatchND and batchToSpaceND.
 */
function stockDilatedConv(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pad: number,
  dilation: number,
): tf.Tensor4D {
  const problem = dilationProblem(w.shape[0], stride, pad, dilation);
  if (problem) throw new Error(`conv2d: ${problem}`);
  const [, height, width] = x.shape;
  const fill = (size: number): [number, number] => [0, (dilation - (size % dilation)) % dilation];
  const pads = [fill(height), fill(width)];
  const phases = tf.spaceToBatchND(x, [dilation, dilation], pads);
  const y = tf.conv2d(phases, w, 1, pad / dilation);
  return tf.batchToSpaceND(y, [dilation, dilation], pads);
}

type PlainConv = (x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number) => tf.Tensor4D;

/** Why a dilated convolution cannot run as phase convolutions; null when it can. */
export function dilationProblem(kernel: number, stride: number, pad: number, dilation: number) {
  if (!Number.isInteger(dilation) || dilation < 1) return `bad dilation ${dilation}`;
  if (dilation === 1) return null;
  if (stride !== 1) return `dilation ${dilation} needs stride 1, not ${stride}`;
  if (2 * pad !== dilation * (kernel - 1)) {
    return `dilation ${dilation} of a ${kernel}×${kernel} kernel needs padding ${(dilation * (kernel - 1)) / 2}, not ${pad}`;
  }
  return null;
}

/**
 * The input and padding of the ordinary convolution a dilated one runs as: the d² phases of an
 * [n, h, w, c] input in the batch, [d²·n, ceil(h/d), ceil(w/d), c], and padding pad / d. The one
 * rule for the ops, the tuner and the ahead-of-time compile.
 */
export function phaseConvShape(
  xShape: readonly number[],
  pad: number,
  dilation: number,
): { xShape: [number, number, number, number]; pad: number } {
  return {
    xShape: phasesShape(phaseGrid(xShape, dilation)),
    pad: pad / dilation,
  };
}

/**
 * `conv` with dilation: a stride-1 dilated convolution is, on each phase of its input (the pixels
 * whose row and column are fixed mod d), an ordinary one with the padding divided by d. So the
 * phases move into the batch (one copy), `conv` runs them in one call on whichever kernel the
 * tuner chose for that shape, and the output moves back (one copy); gradients flow through both
 * permutations. The alternative, a dilated variant of every kernel in every format, would multiply
 * the kernels to tune and verify by the dilations used.
 */
function dilatedConv(conv: PlainConv): HeavyOps['conv2d'] {
  return (x, w, stride, pad, dilation = 1) => {
    if (dilation === 1) return conv(x, w, stride, pad);
    const problem = dilationProblem(w.shape[0], stride, pad, dilation);
    if (problem) throw new Error(`conv2d: ${problem}`);
    const y = conv(spaceToBatch(x, dilation), w, 1, pad / dilation);
    return batchToSpace(y, [x.shape[0], x.shape[1], x.shape[2], y.shape[3]], dilation);
  };
}

/**
 * The geometry our kernels run a convolution with: an RGB stem's 3 input channels are
 * zero-padded to 4 where that lets the vec4 kernels take it (x and w alike, so the result is
 * unchanged). The one rule, for the ops, the tuner and the ahead-of-time compile.
 */
export function kernelGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number,
  pad: number,
): ConvGeometry {
  const inChannels = xShape[3]!;
  const padded = paddedChannels(inChannels);
  const channels = directConvApplies(padded, wShape[3]!) ? padded : inChannels;
  return convGeometry(
    [xShape[0]!, xShape[1]!, xShape[2]!, channels],
    [wShape[0]!, wShape[1]!, channels, wShape[3]!],
    stride,
    pad,
  );
}

/**
 * conv2d through the chosen kernels, differentiable in x and w; the kernels read
 * `kernelWeights(w)` (w itself, or FP16 storage's packed copy), and dW comes back like w. The
 * input gradient is computed only where backprop needs it (customGradPerInput): not for the stem,
 * whose input is the image, which saves one backward convolution per step.
 */
function customConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  g: ConvGeometry,
  choice: ConvKernelChoice,
  format: NumberFormat,
  kernelWeights: (w: tf.Tensor4D) => tf.Tensor4D = (w) => w,
): tf.Tensor4D {
  return customGradPerInput(
    { x, w },
    (inputs, save) => {
      const ws = kernelWeights(inputs.w);
      save([inputs.x, ws]);
      return choice.choose('forward', g).forward(inputs.x, ws, g, format);
    },
    (dy, saved) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
      const dy4 = dy as tf.Tensor4D;
      return {
        x: () => choice.choose('inputGrad', g).inputGrad(dy4, sw, g, format),
        w: () => choice.choose('filterGrad', g).filterGrad(sx, dy4, g, format),
      };
    },
  ) as tf.Tensor4D;
}

/** Zero channels appended to the last axis of x (or the input-channel axis of w). */
function padAxis(t: tf.Tensor4D, axis: 2 | 3, extra: number): tf.Tensor4D {
  const paddings: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  paddings[axis] = [0, extra];
  return tf.pad(t, paddings);
}

function convOf(choice: ConvKernelChoice, format: NumberFormat): HeavyOps['conv2d'] {
  const ours = dilatedConv((x, w, stride, pad) => {
    const g = kernelGeometry(x.shape, w.shape, stride, pad);
    const extra = g.inChannels - x.shape[3];
    if (extra === 0) return customConv2d(x, w, g, choice, format);
    // Callers run the model inside tf.tidy, which frees the padded copies; tf.pad's gradient
    // slices the padding off again.
    return customConv2d(padAxis(x, 3, extra), padAxis(w, 2, extra), g, choice, format);
  });
  return (x, w, stride, pad, dilation = 1) =>
    tf.getBackend() === 'webgpu'
      ? ours(x, w, stride, pad, dilation)
      : STOCK_F32_OPS.conv2d(x, w, stride, pad, dilation);
}

/** f32 ops whose convolutions run the kernels `setting` picks ('auto': tuned, else default). */
export function f32Ops(setting: KernelSetting = 'auto'): HeavyOps {
  const kernels = kernelChoice(F32, setting);
  return {
    format: F32,
    conv2d: convOf(kernels, F32),
    matMul: (x, w) => tf.matMul(x, w),
    kernels,
  };
}

/** f32 with the default kernel rule (direct where the channels allow); never tuned. */
export const F32_OPS: HeavyOps = f32Ops('auto');

/** 'f16' where the device has 'shader-f16', else 'emulated' (f16 rounding in f32 shaders). */
export function availableF16Arithmetic(): F16Arithmetic {
  return deviceHasShaderF16() ? 'f16' : 'emulated';
}

/** f32 storage with f16 (or emulated f16) arithmetic in the convolutions and the FC layer. */
export function f16Ops(
  arithmetic: F16Arithmetic = availableF16Arithmetic(),
  setting: KernelSetting = 'auto',
): HeavyOps {
  const format = numberFormat('f32', arithmetic);
  const kernels = kernelChoice(format, setting);
  return {
    format,
    conv2d: convOf(kernels, format),
    kernels,
    matMul(x, w) {
      const op = tf.customGrad((xIn, wIn, save) => {
        const xs = xIn as tf.Tensor2D;
        const ws = wIn as tf.Tensor2D;
        (save as tf.GradSaveFunc)([xs, ws]);
        return {
          value: matMulF16(xs, ws, arithmetic),
          gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
            const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
            return [
              matMulInputGradF16(dy, sw, arithmetic),
              matMulFilterGradF16(sx, dy, arithmetic),
            ];
          },
        };
      });
      return op(x, w) as tf.Tensor2D;
    },
  };
}

/** f16 arithmetic under f16 storage where the device has 'shader-f16', else f32. */
export function availablePackedArithmetic(): PackedArithmetic {
  return deviceHasShaderF16() ? 'f16' : 'f32';
}

/**
 * The arithmetic of the FC layer's GEMM kernels under `format`: the convolutions' f16 or
 * emulated arithmetic; null for f32 arithmetic (stock tf.matMul).
 */
export function fcArithmetic(format: NumberFormat): F16Arithmetic | null {
  return format.arithmetic === 'f32' ? null : format.arithmetic;
}

/**
 * The channels a packed activation holds for a conv whose weights have `inChannels`: even, since
 * a word holds two (the RGB stem's 3 are zero-padded to 4 before packing, as its weights are here).
 */
export function packedInputChannels(inChannels: number): number {
  return Math.ceil(inChannels / 2) * 2;
}

/** The geometry of a convolution on packed activations: the logical, even, input channels. */
function packedGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number,
  pad: number,
): ConvGeometry {
  const channels = packedInputChannels(wShape[2]!);
  return convGeometry(
    [xShape[0]!, xShape[1]!, xShape[2]!, channels],
    [wShape[0]!, wShape[1]!, channels, wShape[3]!],
    stride,
    pad,
  );
}

/**
 * The geometry our kernels run a convolution with (logical shapes: x [n, h, w, cin], w
 * [kh, kw, cin, cout]), for ops storing activations as `storage`: the one rule for the ops, the
 * tuner and the ahead-of-time compile.
 */
export function storageGeometry(
  storage: Storage,
  xShape: readonly number[],
  wShape: readonly number[],
  stride: number,
  pad: number,
): ConvGeometry {
  return storage === 'f16'
    ? packedGeometry(xShape, wShape, stride, pad)
    : kernelGeometry(xShape, wShape, stride, pad);
}

/**
 * The f16 copy of an f32 master weight, packed along Cout, once per conv call: the kernels read
 * it and the backward pass keeps it (half the bytes of w); dW still comes back f32.
 */
const packWeights = (w: tf.Tensor4D): tf.Tensor4D => packChannels(w) as tf.Tensor4D;

function packedConvOf(choice: ConvKernelChoice, format: NumberFormat): HeavyOps['conv2d'] {
  return dilatedConv((x, w, stride, pad) => {
    const channels = packedInputChannels(w.shape[2]);
    if (2 * x.shape[3] !== channels) {
      throw new Error(`packed conv2d: ${x.shape[3]} words do not hold ${channels} channels`);
    }
    // The stem's weights get the zero input channel its padded input has (tf.pad's gradient
    // slices it off again).
    const extra = channels - w.shape[2];
    const wIn = extra === 0 ? w : padAxis(w, 2, extra);
    const g = packedGeometry([x.shape[0], x.shape[1], x.shape[2], channels], w.shape, stride, pad);
    return customConv2d(x, wIn, g, choice, format, packWeights);
  });
}

/**
 * f16 storage: a training forward keeps activations and gradients packed (see `format`); the
 * FC layer takes the f32 pooled features [n, c] (a few KB: packing them would save nothing) and
 * runs in f16 arithmetic where the device has it (matMulF16), else in f32. Evaluation and
 * prediction run `f32Storage`: f32 tensors, with f16 arithmetic where the device has it.
 */
export function packedOps(
  arithmetic: PackedArithmetic = availablePackedArithmetic(),
  setting: KernelSetting = 'auto',
): HeavyOps {
  const f32Storage = arithmetic === 'f16' ? f16Ops('f16', setting) : f32Ops(setting);
  const format = numberFormat('f16', arithmetic);
  const kernels = kernelChoice(format, setting);
  return {
    format,
    conv2d: packedConvOf(kernels, format),
    matMul: f32Storage.matMul,
    kernels,
    f32Storage,
  };
}

/**
 * The ops of an FP16 run: f16 storage where the network's channels allow (`arithmetic` forces its
 * arithmetic), else f32 storage with f16 arithmetic, or f16 rounding in f32 arithmetic (the
 * 'emulated' kernels on adapters without shader-f16) — the one case f32 storage still trains.
 */
export function fp16Ops(
  spec: ResNetSpec,
  setting: KernelSetting = 'auto',
  arithmetic: PackedArithmetic = availablePackedArithmetic(),
): HeavyOps {
  if (packedStorageFits(spec)) return packedOps(arithmetic, setting);
  return f16Ops(arithmetic === 'f16' ? 'f16' : 'emulated', setting);
}
