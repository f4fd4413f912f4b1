/**
 * FP16 benchmark (npm run bench:fp16): kernel GFLOP/s of stock TensorFlow.js f32 convolutions vs
 * our direct convolution kernels in f32 and in f16 (and emulated f16) on representative ResNet
 * shapes, then training-step images/s of the same network in f32 and in FP16, side by side.
 * Figures only; nothing is asserted.
 *
 *   npm run bench:fp16 -- [--batch 8] [--query "model=resnet18&width=0.25&batch=32"] [--steps 6]
 *                         [--emulated] [--skip-kernels] [--skip-training]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseQuery } from '../src/config';
import { generateSyntheticDataset } from '../src/data/synthetic';
import { initNodeBackend } from '../src/engine/backend-node';
import { convGeometry, convMacs } from '../src/engine/kernels/conv-geometry';
import {
  conv2dDirect,
  conv2dFilterGradDirect,
  conv2dInputGradDirect,
  paddedChannels,
} from '../src/engine/kernels/direct-conv';
import type { F16Arithmetic } from '../src/engine/kernels/gemm-wgsl';
import type { PackedArithmetic } from '../src/engine/heavy-ops';
import { F32, numberFormat, type NumberFormat } from '../src/config/number-format';
import { createTrainer } from '../src/engine/trainer';
import type { TrainerEvent } from '../src/run/events';

interface Args {
  batch: number;
  query: string;
  steps: number;
  emulated: boolean;
  kernels: boolean;
  training: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    batch: 8,
    query: 'model=resnet18&width=0.25&batch=32&input=32&crop=0&flip=0&jitter=0&pca=0',
    steps: 6,
    emulated: false,
    kernels: true,
    training: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--batch') args.batch = Number(value());
    else if (a === '--query') args.query = value();
    else if (a === '--steps') args.steps = Number(value());
    else if (a === '--emulated') args.emulated = true;
    else if (a === '--skip-kernels') args.kernels = false;
    else if (a === '--skip-training') args.training = false;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(args.batch >= 1) || !(args.steps >= 2)) throw new Error('need --batch ≥ 1, --steps ≥ 2');
  return args;
}

/** ResNet-18 convolutions at 32 px (CIFAR-style stem), plus the ImageNet 7×7 stem at 56 px. */
const SHAPES = [
  { name: 'stem 3×3, 3→64 @32', h: 32, ci: 3, co: 64, k: 3, s: 1 },
  { name: 'layer1 3×3, 64→64 @32', h: 32, ci: 64, co: 64, k: 3, s: 1 },
  { name: 'layer2 3×3/2, 64→128 @32', h: 32, ci: 64, co: 128, k: 3, s: 2 },
  { name: 'layer2 1×1/2, 64→128 @32', h: 32, ci: 64, co: 128, k: 1, s: 2 },
  { name: 'layer3 3×3, 256→256 @8', h: 8, ci: 256, co: 256, k: 3, s: 1 },
  { name: 'layer4 3×3, 512→512 @4', h: 4, ci: 512, co: 512, k: 3, s: 1 },
  { name: 'imagenet stem 7×7/2, 3→64 @56', h: 56, ci: 3, co: 64, k: 7, s: 2 },
];

/** Seconds per call: one warm-up (compiles), then repeats until ≥ 0.5 s or 20 calls. */
async function timeIt(run: () => tf.Tensor): Promise<number> {
  const warm = run();
  await warm.data();
  warm.dispose();
  let reps = 0;
  const start = performance.now();
  while (reps < 20) {
    const out = run();
    reps++;
    if (performance.now() - start > 500 || reps === 20) {
      await out.data();
      out.dispose();
      if (performance.now() - start > 500) break;
    } else {
      out.dispose();
    }
  }
  return (performance.now() - start) / 1000 / reps;
}

const gflops = (macs: number, seconds: number) => (2 * macs) / seconds / 1e9;

const formatRates = (macs: number, seconds: number[]) =>
  seconds
    .map((t) => gflops(macs, t).toFixed(2))
    .join(' / ')
    .padStart(20);

async function benchKernels(args: Args, arithmetics: F16Arithmetic[]): Promise<void> {
  console.log(`\nKernel GFLOP/s (batch ${args.batch}; forward / input gradient / filter gradient)`);
  // f32 storage, with each arithmetic.
  const ours: NumberFormat[] = [F32, ...arithmetics.map((a) => numberFormat('f32', a))];
  const head = ['shape'.padEnd(34), 'f32 tfjs'.padStart(20)];
  for (const p of ours) head.push(`${p.arithmetic} ours`.padStart(20));
  console.log(head.join(' '));
  for (const s of SHAPES) {
    const pad = Math.floor(s.k / 2);
    const g = convGeometry([args.batch, s.h, s.h, s.ci], [s.k, s.k, s.ci, s.co], s.s, pad);
    const macs = convMacs(g);
    const x = tf.randomNormal([args.batch, s.h, s.h, s.ci]) as tf.Tensor4D;
    const w = tf.mul(tf.randomNormal([s.k, s.k, s.ci, s.co]), 0.05) as tf.Tensor4D;
    const dy = tf.randomNormal([args.batch, g.outHeight, g.outWidth, s.co]) as tf.Tensor4D;
    // Our kernels take channels in multiples of 4: an RGB stem is zero-padded, as the engine does.
    const extra = paddedChannels(s.ci) - s.ci;
    const xp = tf.pad(x, [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, extra],
    ]) as tf.Tensor4D;
    const wp = tf.pad(w, [
      [0, 0],
      [0, 0],
      [0, extra],
      [0, 0],
    ]) as tf.Tensor4D;
    const row = [s.name.padEnd(34)];
    const f32 = [
      await timeIt(() => tf.conv2d(x, w, s.s, pad)),
      await timeIt(() => tf.conv2dTranspose(dy, w, x.shape, s.s, pad)),
      await timeIt(() =>
        tf.tidy(() =>
          tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, s.s, pad), dy)))(
            w,
          ),
        ),
      ),
    ];
    row.push(formatRates(macs, f32));
    for (const p of ours) {
      const seconds = [
        await timeIt(() => conv2dDirect(xp, wp, s.s, pad, p)),
        await timeIt(() => conv2dInputGradDirect(dy, wp, xp.shape, s.s, pad, p)),
        await timeIt(() => conv2dFilterGradDirect(xp, dy, wp.shape, s.s, pad, p)),
      ];
      row.push(formatRates(macs, seconds));
    }
    console.log(row.join(' '));
    tf.dispose([x, w, dy, xp, wp]);
  }
  console.log(
    'f32 tfjs filter gradient = tf.grad through conv2d (includes the forward and a multiply-sum).',
  );
}

async function imagesPerSecond(query: string, steps: number, arithmetic?: PackedArithmetic) {
  const { config, ignored } = parseQuery(query);
  if (ignored.length > 0)
    throw new Error(`query: ${ignored.map((p) => `${p.key}: ${p.reason}`).join('; ')}`);
  // One epoch of exactly `steps` batches: no evaluation inside the timed stretch.
  config.train_size = config.batch * steps;
  config.val_size = Math.max(8, Math.min(config.batch, 64));
  config.epochs = 1;
  const dataset = generateSyntheticDataset({
    seed: config.seed,
    trainSize: config.train_size,
    valSize: config.val_size,
  });
  // Steady state: from the readback after step 1 (which includes shader compilation) to the last.
  let first: { time: number; step: number } | null = null;
  let last: { time: number; step: number } | null = null;
  const onEvent = (e: TrainerEvent) => {
    if (e.type !== 'train-points') return;
    const mark = { time: performance.now(), step: e.points.at(-1)!.step };
    if (!first) first = mark;
    last = mark;
  };
  const started = performance.now();
  const result = await createTrainer({
    config,
    dataset,
    onEvent,
    ...(arithmetic ? { fp16Arithmetic: arithmetic } : {}),
  }).run();
  result?.dispose();
  if (!first || !last || last === first) throw new Error('too few readbacks to time');
  const a = first as { time: number; step: number };
  const b = last as { time: number; step: number };
  return {
    imagesPerSecond: ((b.step - a.step) * config.batch) / ((b.time - a.time) / 1000),
    warmupSeconds: (a.time - started) / 1000,
  };
}

async function benchTraining(args: Args, arithmetics: PackedArithmetic[]): Promise<void> {
  console.log(`\nTraining step images/s: ${args.query}, ${args.steps} steps (first step excluded)`);
  const f32 = await imagesPerSecond(args.query, args.steps);
  console.log(
    `  f32 (engine)        ${f32.imagesPerSecond.toFixed(2).padStart(8)} img/s   first step ${f32.warmupSeconds.toFixed(1)} s`,
  );
  for (const p of arithmetics) {
    const r = await imagesPerSecond(`${args.query}&fp16=1`, args.steps, p);
    console.log(
      `  fp16 (f16 storage, ${p} arithmetic)   ${r.imagesPerSecond.toFixed(2).padStart(8)} img/s   first step ${r.warmupSeconds.toFixed(1)} s   ` +
        `speed-up ×${(r.imagesPerSecond / f32.imagesPerSecond).toFixed(2)}`,
    );
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const info = await initNodeBackend();
  console.log(`adapter: ${info.adapter} (shader-f16: ${info.shaderF16})`);
  if (/llvmpipe|lavapipe|swiftshader/i.test(info.adapter)) {
    console.log(
      'note: a CPU Vulkan adapter: f16 arithmetic is emulated on the CPU, so these figures check\n' +
        'that the paths run; they say nothing about the speed-up on a real GPU.',
    );
  }
  const arithmetics: F16Arithmetic[] = info.shaderF16 ? ['f16'] : ['emulated'];
  if (args.emulated && info.shaderF16) arithmetics.push('emulated');
  if (args.kernels) await benchKernels(args, arithmetics);
  // Training: f16 storage, with f16 arithmetic (shader-f16) and with f32 arithmetic.
  const packed: PackedArithmetic[] = info.shaderF16 ? ['f16', 'f32'] : ['f32'];
  if (args.training) await benchTraining(args, packed);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
