import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNetSpec, type ResNetOptions } from '../architecture';
import type { NamedWeight } from '../run/events';
import { TIMM_FILES, type ExportFile } from '../timm/export';
import { readTimmCheckpoint } from '../timm/import';
import { timmPythonUnavailable } from '../timm/python-probe';
import { decodeSafetensors, type SafetensorsTensor } from '../timm/safetensors';
import { fromTimmStateDict } from '../timm/state-dict';
import { nhwcToNchw } from '../timm/layout';
import { createRng, type Rng } from '../tricks';
import { initNodeBackend } from './backend-node';
import { createResNetModel, type ResNetModel } from './model';
import { maxAbsDiff, randomDataset, tinyResNetOptions } from './test-utils';
import {
  assignWeights,
  createModelWithWeights,
  timmExportFiles,
  timmSample,
} from './timm-checkpoint';

/**
 * Export → load → identical logits, for each kind of network the app builds. When a Python with
 * torch and timm is importable (TIMM_PYTHON, else python3), real timm checks both ways: load_timm.py
 * on every export, and a checkpoint timm writes loaded into our engine; otherwise those two tests
 * report themselves as not run.
 */

const LOAD_SCRIPT = readFileSync(new URL('../timm/load_timm.py', import.meta.url), 'utf8');

const VARIANTS: [string, Partial<ResNetOptions>][] = [
  ['resnet10 A small stem @32', { model: 'resnet10', stem: 'small' }],
  [
    'resnet10 C+D ImageNet stem @64 width 1/8',
    { model: 'resnet10', input: 64, stem: 'imagenet', width: 0.125, tweakC: true, tweakD: true },
  ],
  [
    'resnet10 ImageNet stem @32 width 1 (no patch)',
    { model: 'resnet10', stem: 'imagenet', width: 1, tweakB: true },
  ],
  ['resnet26 A small stem @32', { model: 'resnet26', stem: 'small' }],
  [
    'resnet26 B+C+D small stem @36 (odd sizes)',
    { model: 'resnet26', input: 36, stem: 'small', tweakB: true, tweakC: true, tweakD: true },
  ],
  [
    'resnet26 A+D ImageNet stem @64 width 3/16',
    { model: 'resnet26', input: 64, stem: 'imagenet', width: 0.1875, tweakD: true },
  ],
  // FCNs (task=segment): dilated stages 3–4, torchvision's FCNHead layout, per-pixel logits.
  ['FCN resnet10 A small stem @32', { model: 'resnet10', stem: 'small', fcn: true }],
  [
    'FCN resnet26 B+C+D ImageNet stem @64 width 1/8',
    {
      model: 'resnet26',
      input: 64,
      stem: 'imagenet',
      width: 0.125,
      tweakB: true,
      tweakC: true,
      tweakD: true,
      fcn: true,
    },
  ],
];

/**
 * The Xavier-initialized convs and FC of the model, with random BN parameters and statistics
 * (positive variances), so that every tensor matters and the logits stay of a trained net's size.
 */
async function randomizedWeights(model: ResNetModel, rng: Rng): Promise<NamedWeight[]> {
  const ranges: [RegExp, number, number][] = [
    [/\.gamma$/, 0.5, 1.5],
    [/\.(beta|running_mean)$/, -0.2, 0.2],
    [/\.running_var$/, 0.5, 2],
  ];
  return Promise.all(
    model.namedTensors().map(async ({ name, tensor }) => {
      const values = new Float32Array(await tensor.data());
      const range = ranges.find(([pattern]) => pattern.test(name));
      if (range)
        for (let i = 0; i < values.length; i++) values[i] = rng.uniform(range[1], range[2]);
      return { name, shape: [...tensor.shape], values };
    }),
  );
}

function file(files: ExportFile[], name: string): Uint8Array {
  return files.find((f) => f.name === name)!.bytes;
}

interface Exported {
  name: string;
  dir: string;
  options: ResNetOptions;
  /** What the model held when it was exported. */
  weights: NamedWeight[];
  files: ExportFile[];
}

const root = process.env.TIMM_EXPORT_DIR ?? mkdtempSync(join(tmpdir(), 'timm-export-'));
const exported: Exported[] = [];

/** The validation images of the sample: 8 of uniform noise. */
const validation = (input: number) => randomDataset(3, 0, 8, input).val;

beforeAll(async () => {
  await initNodeBackend();
  for (const [name, overrides] of VARIANTS) {
    const options = tinyResNetOptions(overrides);
    const model = createResNetModel(buildResNetSpec(options), options.input, createRng(1));
    const weights = await randomizedWeights(model, createRng(2));
    assignWeights(model, weights);
    const size = { height: options.input, width: options.input };
    const files = await timmExportFiles(model, options, validation(options.input), size, {
      steps: 7,
      loadScript: LOAD_SCRIPT,
      source: { app: 'test', query: '', run: 'r1' },
    });
    model.dispose();
    const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
    exported.push({ name, dir, options, weights, files });
  }
}, 240_000);

describe('timm export round trip', () => {
  it('export → load → the same weights and identical logits, for every variant', async () => {
    for (const e of exported) {
      const { tensors } = decodeSafetensors(file(e.files, TIMM_FILES.weights));
      expect(tensors.find((t) => t.name === 'bn1.num_batches_tracked')!.data[0]).toBe(7n);
      const weights = fromTimmStateDict(e.options, tensors);
      const loaded = new Map(weights.map((w) => [w.name, w.values]));
      // maxAbsDiff, not toEqual: toEqual compares millions of elements one by one, slowly.
      for (const w of e.weights) expect(maxAbsDiff(loaded.get(w.name)!, w.values), w.name).toBe(0);

      const model = createModelWithWeights(e.options, weights);
      const again = await timmSample(
        model,
        validation(e.options.input),
        e.options.input,
        e.options.input,
      );
      model.dispose();
      const [input, logits] = decodeSafetensors(file(e.files, TIMM_FILES.sample)).tensors;
      expect(input!.shape).toEqual([8, 3, e.options.input, e.options.input]);
      expect(input!.data).toEqual(again.input);
      const size = e.options.input;
      expect(logits!.shape).toEqual(e.options.fcn ? [8, 10, size, size] : [8, 10]);
      expect(logits!.data, e.name).toEqual(again.logits);
    }
  });
});

const python = process.env.TIMM_PYTHON ?? 'python3';
const unavailable = timmPythonUnavailable(python);
if (unavailable) console.warn(`real timm (load_timm.py, timm → engine): NOT RUN — ${unavailable}`);
const notRun = unavailable ? ` (NOT RUN: ${unavailable})` : '';

const WRITE_TIMM_CHECKPOINT = new URL('../timm/testdata/write_timm_checkpoint.py', import.meta.url)
  .pathname;

/** NCHW float32 → an NHWC tensor for our engine. */
function nhwcTensor(input: SafetensorsTensor): tf.Tensor4D {
  const shape = input.shape as [number, number, number, number];
  return tf.tidy(() => tf.transpose(tf.tensor4d(input.data as Float32Array, shape), [0, 2, 3, 1]));
}

describe('real timm', () => {
  it.skipIf(unavailable !== null)(
    `load_timm.py rebuilds every variant, loads it with strict=True and reproduces our logits${notRun}`,
    () => {
      for (const e of exported) {
        const run = spawnSync(python, [join(e.dir, TIMM_FILES.script), e.dir], {
          encoding: 'utf8',
        });
        console.info(`load_timm.py ${e.name}: ${run.stdout.trim()} ${run.stderr.trim()}`);
        expect(run.status, `${e.name}: ${run.stdout}${run.stderr}`).toBe(0);
      }
    },
    240_000,
  );

  it.skipIf(unavailable !== null)(
    `a checkpoint timm writes for each variant loads into our engine with timm's logits${notRun}`,
    async () => {
      for (const e of exported) {
        const out = join(e.dir, 'from-timm');
        const run = spawnSync(python, [WRITE_TIMM_CHECKPOINT, e.dir, out], { encoding: 'utf8' });
        expect(run.status, `${e.name}: ${run.stdout}${run.stderr}`).toBe(0);
        const checkpoint = readTimmCheckpoint(
          readFileSync(join(e.dir, TIMM_FILES.config), 'utf8'),
          readFileSync(join(out, TIMM_FILES.weights)),
        );
        const model = createModelWithWeights(checkpoint.options, checkpoint.weights);
        const [input, logits] = decodeSafetensors(
          readFileSync(join(out, 'logits.safetensors')),
        ).tensors;
        const x = nhwcTensor(input!);
        const ours = model.predict(x);
        const scores = (await ours.data()) as Float32Array;
        // An FCN's logits are per pixel, NHWC here and NCHW in timm's.
        const size = checkpoint.options.input;
        const values = checkpoint.options.fcn
          ? nhwcToNchw(scores, [x.shape[0], size, size, checkpoint.options.classes])
          : scores;
        tf.dispose([x, ours]);
        model.dispose();
        const expected = logits!.data as Float32Array;
        // A loop, not Math.max(...): an FCN has 327,680 logits, too many arguments for a call.
        const largest = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const delta = maxAbsDiff(values, expected);
        console.info(
          `timm → engine ${e.name}: max |Δ logit| ${delta.toExponential(2)} (largest ${largest.toFixed(2)})`,
        );
        expect(delta, e.name).toBeLessThanOrEqual(1e-5 * Math.max(1, largest));
      }
    },
    240_000,
  );
});
