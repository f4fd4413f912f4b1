/**
 * Soak benchmark: trains a small model for many steps through the real trainer (readbacks,
 * evaluations, epochs) and prints live tensors and GPU bytes every 200 steps; both must stay flat.
 * Exits 1 when either changed between samples (a leak), so that a script or CI step fails on it.
 * Usage: npm run bench:soak -- [steps=2000] ["<query>"]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseQuery } from '../src/config';
import { generateSyntheticDataset } from '../src/data/synthetic';
import { initNodeBackend } from '../src/engine/backend-node';
import { createTrainer } from '../src/engine/trainer';

interface GpuMemoryInfo extends tf.MemoryInfo {
  numBytesInGPU?: number;
  numBytesInGPUAllocated?: number;
}

const steps = Number(process.argv[2] ?? 2000);
const query = process.argv[3] ?? 'model=resnet10&width=0.0625&batch=16&train_size=512&val_size=64';
const { config, ignored } = parseQuery(query);
// Flat needs two samples at least: steps 200 and 400.
if (!Number.isInteger(steps) || steps < 400 || ignored.length > 0) {
  console.error('usage: npm run bench:soak -- [steps ≥ 400] ["<query>"]', ignored);
  process.exit(2);
}
const info = await initNodeBackend();
console.log(`soak: ${steps} steps of "${query}" on ${info.backend} (${info.adapter})`);
const dataset = generateSyntheticDataset({
  seed: config.seed,
  trainSize: config.train_size,
  valSize: config.val_size,
});
const stepsPerEpoch = Math.floor(config.train_size / config.batch);
const rows: { step: number; tensors: number; gpuBytes: number }[] = [];
let nextReport = 200;
const trainer = createTrainer({
  config: { ...config, epochs: Math.ceil(steps / stepsPerEpoch) + 1 },
  dataset,
  stepsLimit: steps,
  onEvent(event) {
    if (event.type !== 'progress' || event.progress.step < nextReport) return;
    const memory = tf.memory() as GpuMemoryInfo;
    const row = {
      step: event.progress.step,
      tensors: memory.numTensors,
      gpuBytes: memory.numBytesInGPU ?? memory.numBytes,
    };
    rows.push(row);
    console.log(
      `step ${String(row.step).padStart(5)}  tensors ${row.tensors}  GPU bytes ${row.gpuBytes}`,
    );
    while (nextReport <= event.progress.step) nextReport += 200;
  },
});
const started = performance.now();
const model = await trainer.run();
const seconds = (performance.now() - started) / 1000;
model?.dispose();
const tensors = new Set(rows.map((r) => r.tensors));
const bytes = new Set(rows.map((r) => r.gpuBytes));
const flat = rows.length >= 2 && tensors.size === 1 && bytes.size === 1;
console.log(
  `soak: ${rows.length} samples in ${seconds.toFixed(0)} s; tensor counts seen ${[...tensors].join(', ')}; ` +
    `GPU byte totals seen ${[...bytes].join(', ')} → ${flat ? 'flat' : 'NOT flat'}`,
);
if (!flat) {
  console.error(
    rows.length < 2
      ? `soak: FAILED: ${rows.length} sample(s), fewer than the 2 that flatness needs (exit 1)`
      : 'soak: FAILED: live tensors or GPU bytes changed between samples: a leak (exit 1)',
  );
  process.exitCode = 1;
}
