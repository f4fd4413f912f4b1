/**
 * Data pipeline benchmark (npm run bench:data): is the input pipeline ever what the GPU waits for?
 *  1. Decode throughput per file format, through the same loader as the page and the CLI.
 *  2. Per-batch input work against the training step of the default model: the CPU part (drawing
 *     the §2.1 parameters, gathering 8-bit pixels) and the GPU augmentation, both in images/s,
 *     and the ratio to the images/s a training step consumes.
 * Sizes: BENCH_IMAGES (default 10000 for CIFAR/MNIST), BENCH_FOLDER_IMAGES (default 300 PNGs),
 * BENCH_STEPS (timed training steps, default 3). The page decodes JPEG/PNG/WebP with the
 * browser's own decoders, which this Node benchmark cannot measure.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildResNetSpec, resnetOptionsFromConfig } from '../src/architecture';
import { DEFAULT_CONFIG } from '../src/config';
import { memoryFile, type DataFile } from '../src/data/files';
import {
  cyclicLabels,
  makeCifarBatch,
  makeImageFolder,
  makeMnistFiles,
  makeTarGz,
} from '../src/data/fixtures';
import { loadDatasetFiles } from '../src/data/load';
import { DEFAULT_MEMORY_LIMIT } from '../src/data/memory';
import { pngDecoder } from '../src/data/png-decoder';
import { initNodeBackend } from '../src/engine/backend-node';
import { createResNetModel } from '../src/engine/model';
import { createNagOptimizer } from '../src/engine/optimizer';
import { gatherImages, gatherLabels, preprocessBatch } from '../src/engine/preprocess';
import { trainStep, type StepContext } from '../src/engine/step';
import { createRng, preprocessingSwitches, sampleAugmentationBatch } from '../src/tricks';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 10000);
const FOLDER_IMAGES = Number(process.env.BENCH_FOLDER_IMAGES ?? 300);
const STEPS = Number(process.env.BENCH_STEPS ?? 3);

const files = (record: Record<string, Uint8Array>): DataFile[] =>
  Object.entries(record).map(([path, data]) => memoryFile(path, data));

async function decodeRate(name: string, input: DataFile[]): Promise<number> {
  const started = performance.now();
  const { dataset } = await loadDatasetFiles(input, {
    requested: null,
    inputSize: DEFAULT_CONFIG.input,
    decoder: pngDecoder,
    memoryLimit: DEFAULT_MEMORY_LIMIT * 4,
  });
  const seconds = (performance.now() - started) / 1000;
  const images = dataset.train.count + dataset.val.count;
  const rate = images / seconds;
  console.log(
    `${name.padEnd(34)} ${String(images).padStart(6)} images ${seconds.toFixed(2).padStart(7)} s ${rate.toFixed(0).padStart(9)} images/s`,
  );
  return rate;
}

async function main(): Promise<void> {
  console.log(
    '== decode throughput (Node, one core; includes gunzip/untar, parsing, HWC layout, split)',
  );
  const trainCount = Math.round(IMAGES * (5 / 6));
  const testCount = IMAGES - trainCount;
  const cifarBins = {
    'cifar-10-batches-bin/data_batch_1.bin': makeCifarBatch(
      'cifar10',
      cyclicLabels(trainCount, 10),
    ),
    'cifar-10-batches-bin/test_batch.bin': makeCifarBatch('cifar10', cyclicLabels(testCount, 10)),
  };
  await decodeRate('CIFAR-10 .bin batches', files(cifarBins));
  await decodeRate('CIFAR-10 .tar.gz', files({ 'cifar-10-binary.tar.gz': makeTarGz(cifarBins) }));
  await decodeRate(
    'CIFAR-100 train.bin/test.bin',
    files({
      'train.bin': makeCifarBatch('cifar100', cyclicLabels(trainCount, 100)),
      'test.bin': makeCifarBatch('cifar100', cyclicLabels(testCount, 100)),
    }),
  );
  await decodeRate('MNIST IDX', files(makeMnistFiles(trainCount, testCount, false)));
  await decodeRate('MNIST IDX .gz', files(makeMnistFiles(trainCount, testCount, true)));
  const perClass = Math.max(1, Math.round(FOLDER_IMAGES / 10));
  const classes = Array.from({ length: 10 }, (_, i) => `class${i}`);
  await decodeRate(
    `PNG folder (24–44 px → 37 px)`,
    files(makeImageFolder('folder', classes, perClass)),
  );

  const backend = await initNodeBackend();
  const config = { ...DEFAULT_CONFIG };
  const { batch, input } = config;
  console.log(
    `\n== per-batch input work vs the training step (${backend.backend} on ${backend.adapter})`,
  );
  console.log(
    `default model: ${config.model} width ${config.width}, input ${input}, batch ${batch}, all §2.1 steps on`,
  );
  const side = 32;
  const { dataset } = await loadDatasetFiles(files(cifarBins), {
    requested: 'cifar10',
    inputSize: input,
    decoder: pngDecoder,
    memoryLimit: DEFAULT_MEMORY_LIMIT * 4,
  });
  const rng = createRng(1);
  const switches = preprocessingSwitches(config);
  const imageBytes = side * side * 3;

  // CPU: parameters and pixel gathering, as the trainer does before each step.
  const cpuBatches = 200;
  let started = performance.now();
  for (let b = 0; b < cpuBatches; b++) {
    const indices = rng.permutation(dataset.train.count).subarray(0, batch);
    gatherImages(dataset.train, indices, imageBytes);
    gatherLabels(dataset.train, indices);
    sampleAugmentationBatch(rng, batch, side, side, switches);
  }
  const cpuRate = (cpuBatches * batch) / ((performance.now() - started) / 1000);

  // GPU augmentation alone (crop-and-resize, colour, lighting, normalize), synchronised by readback.
  const indices = rng.permutation(dataset.train.count).subarray(0, batch);
  const pixels = gatherImages(dataset.train, indices, imageBytes);
  const augment = () => {
    const aug = sampleAugmentationBatch(rng, batch, side, side, switches);
    const out = preprocessBatch(pixels, batch, side, side, aug, input);
    return out.data().then(() => out.dispose());
  };
  await augment();
  const gpuBatches = 10;
  started = performance.now();
  for (let b = 0; b < gpuBatches; b++) await augment();
  const gpuRate = (gpuBatches * batch) / ((performance.now() - started) / 1000);

  // The training step of the default model.
  const spec = buildResNetSpec(resnetOptionsFromConfig(config, 10));
  const model = createResNetModel(spec, input, createRng(2));
  const optimizer = createNagOptimizer(model.parameters, config.wd, config.no_bias_decay);
  const ctx: StepContext = {
    model,
    optimizer,
    teacher: null,
    classes: 10,
    labelSmoothing: 0,
    temperature: 20,
    height: side,
    width: side,
  };
  const step = async () => {
    const idx = rng.permutation(dataset.train.count).subarray(0, batch);
    const loss = trainStep(
      ctx,
      {
        pixels: gatherImages(dataset.train, idx, imageBytes),
        labels: gatherLabels(dataset.train, idx),
        count: batch,
        augmentation: sampleAugmentationBatch(rng, batch, side, side, switches),
        mixupLambda: 1,
      },
      0.01,
    );
    await loss.data();
    loss.dispose();
  };
  started = performance.now();
  await step();
  const warmup = (performance.now() - started) / 1000;
  started = performance.now();
  for (let s = 0; s < STEPS; s++) await step();
  const trainRate = (STEPS * batch) / ((performance.now() - started) / 1000);
  optimizer.dispose();
  model.dispose();

  const row = (name: string, rate: number) =>
    console.log(
      `${name.padEnd(46)} ${rate.toFixed(0).padStart(9)} images/s   ratio to training ${(rate / trainRate).toFixed(1).padStart(7)}×`,
    );
  row('CPU: draw §2.1 parameters + gather 8-bit pixels', cpuRate);
  row('GPU: augmentation (crop/flip/jitter/PCA/normalize)', gpuRate);
  console.log(
    `${'training step consumption (after warm-up)'.padEnd(46)} ${trainRate.toFixed(1).padStart(9)} images/s   (first step incl. shader compile: ${warmup.toFixed(1)} s)`,
  );
  console.log(
    `\nThe CPU side is synchronous work before each step; a ratio above 1 means it is never what the GPU waits for.`,
  );
  void tf;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
