/**
 * Engine benchmark (npm run bench): stock tf.layers vs our engine (f32, and f16 with shader-f16)
 * on a ResNet-18-style and a bottleneck ResNet-50-style network, on one adapter, in one run.
 *
 *   npm run bench -- [--quick] [--no-f16] [--json FILE] [--batches 32,128] [--models r18,r50]
 *                    [--warmup 2] [--steps 20] [--leak-step 200] [--width18 0.125] [--width50 0.125]
 */
import { writeFileSync } from 'node:fs';
import { formatReportTable } from '../src/benchmark/report';
import { initNodeBackend } from '../src/engine/backend-node';
import {
  RESNET18_STYLE,
  RESNET50_STYLE,
  runBenchmarkSuite,
  type BenchModelConfig,
  type SuiteOptions,
} from '../src/engine/benchmark/suite';

interface Args {
  suite: SuiteOptions;
  json: string | null;
}

const positive = (flag: string, v: string, integer = true) => {
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`${flag}: bad value '${v}'`);
  return n;
};

export function parseBenchArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  let json: string | null = null;
  let batches = [32, 128];
  let models = ['r18', 'r50'];
  let warmupSteps = quick ? 1 : 2;
  let timedSteps = quick ? 5 : 20;
  let leakStep: number | null = null;
  let width18 = RESNET18_STYLE.width;
  let width50 = RESNET50_STYLE.width;
  let f16 = true;
  if (quick) models = ['r18'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') continue;
    if (a === '--no-f16') {
      f16 = false;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--json') json = v;
    else if (a === '--batches') batches = v.split(',').map((b) => positive(a, b));
    else if (a === '--models') models = v.split(',');
    else if (a === '--warmup') warmupSteps = Number(v);
    else if (a === '--steps') timedSteps = positive(a, v);
    else if (a === '--leak-step') leakStep = positive(a, v);
    else if (a === '--width18') width18 = positive(a, v, false);
    else if (a === '--width50') width50 = positive(a, v, false);
    else throw new Error(`unknown argument ${a}`);
  }
  const configs: BenchModelConfig[] = models.map((m) => {
    if (m === 'r18') return { ...RESNET18_STYLE, width: width18 };
    if (m === 'r50') return { ...RESNET50_STYLE, width: width50 };
    throw new Error(`--models: '${m}' is not r18 or r50`);
  });
  const minimum = 1 + warmupSteps + timedSteps;
  return {
    json,
    suite: {
      models: configs,
      batches,
      warmupSteps,
      timedSteps,
      leakStep: leakStep ?? minimum,
      f16,
      onProgress: (m) => process.stderr.write(`  ${m}\n`),
    },
  };
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const info = await initNodeBackend();
  console.log(`adapter: ${info.adapter} (shader-f16: ${info.shaderF16})`);
  if (/llvmpipe|lavapipe|swiftshader/i.test(info.adapter)) {
    console.log(
      'note: a CPU Vulkan adapter (lavapipe): figures are noisy and say little about a GPU.',
    );
  }
  const started = performance.now();
  const result = await runBenchmarkSuite(args.suite, info.adapter);
  console.log('');
  console.log(formatReportTable(result.report, result.leakStep));
  console.log(
    `largest conv: ${result.largestConv.name} (${result.largestConv.shape}), f32 forward as the engine runs it (direct kernel)`,
  );
  console.log(
    'dispatches per step: ' +
      result.report.rows
        .map((r, i) => `${r.name} ${r.model}/${r.batch}: ${result.dispatchesPerStep[i]}`)
        .join('; '),
  );
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(result.report, null, 2) + '\n');
    console.log(`wrote ${args.json}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
