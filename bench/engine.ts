/**
 * Engine benchmark (npm run bench): stock tf.layers vs our engine (f32, and FP16 with f16 storage)
 * on a ResNet-18-style and a bottleneck ResNet-50-style network, on one adapter, in one run, with
 * every convolution kernel timed per layer first. `npm run bench -- --help` lists the flags
 * (src/benchmark-report/cli-args.ts).
 *
 * Bundled as is by shared/gpu-kit/pack.sh: no dynamic import() of project files and no file read
 * relative to the source tree on this path (the tuning cache lives in the user's cache folder).
 */
import { writeFileSync } from 'node:fs';
import {
  BENCH_USAGE,
  BenchArgsError,
  parseBenchArgs,
  type BenchCliArgs,
} from '../src/benchmark-report/cli-args';
import { formatLayersTable, formatReportTable } from '../src/benchmark-report/report';
import { isCpuAdapter, reportJson } from '../src/benchmark-report/derive';
import { formatStepProfile } from '../src/benchmark-report/step-profile';
import { defaultTuningCachePath, fileTuningCache } from '../src/engine/autotune/file-cache';
import { initNodeBackend } from '../src/engine/backend-node';
import {
  RESNET18_STYLE,
  RESNET50_STYLE,
  runBenchmarkSuite,
  type BenchModelConfig,
} from '../src/engine/benchmark/suite';

function modelConfigs(args: BenchCliArgs): BenchModelConfig[] {
  return args.models.map((m) =>
    m === 'r18'
      ? { ...RESNET18_STYLE, width: args.width18 ?? RESNET18_STYLE.width }
      : { ...RESNET50_STYLE, width: args.width50 ?? RESNET50_STYLE.width },
  );
}

async function main(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv);
  if (args === 'help') {
    process.stdout.write(BENCH_USAGE);
    return;
  }
  const info = await initNodeBackend();
  console.log(`adapter: ${info.adapter} (shader-f16: ${info.shaderF16})`);
  if (isCpuAdapter(info.adapter)) {
    console.log(
      'note: a CPU Vulkan adapter (lavapipe): figures are noisy and say little about a GPU.',
    );
  }
  const cachePath =
    args.tuningCache.kind === 'file'
      ? args.tuningCache.path
      : args.tuningCache.kind === 'default'
        ? defaultTuningCachePath()
        : null;
  console.log(
    `kernels: ${args.kernels}; tuning cache: ${cachePath ?? 'none (every engine row tunes in its first step)'}`,
  );
  const started = performance.now();
  const result = await runBenchmarkSuite(
    {
      models: modelConfigs(args),
      batches: args.batches,
      warmupSteps: args.warmupSteps,
      timedSteps: args.timedSteps,
      leakStep: args.leakStep,
      f16: args.f16,
      kernels: args.kernels,
      adapter: info.adapterIdentity ?? {
        vendor: 'unknown',
        architecture: '',
        device: '',
        description: info.adapter,
        software: '',
      },
      tuningCache: cachePath === null ? null : fileTuningCache(cachePath),
      onProgress: (m) => process.stderr.write(`  ${m}\n`),
    },
    info.adapter,
  );
  const { report, largestConv } = result;
  console.log('');
  console.log(formatLayersTable(report, result.layersOf.model) ?? '');
  console.log('');
  console.log(formatReportTable(report, result.leakStep));
  console.log(
    `largest conv: ${largestConv.name} (${largestConv.shape}), f32 forward as the engine runs it (${largestConv.kernel} kernel)`,
  );
  for (const row of report.rows) {
    if (!row.stepProfile) continue;
    console.log('');
    console.log(
      formatStepProfile(
        row.stepProfile,
        `where a step's GPU time goes: ${row.name} ${row.model} batch ${row.batch} (one more step, every dispatch timed)`,
      ),
    );
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  if (args.json) {
    writeFileSync(args.json, reportJson(report));
    console.log(`wrote ${args.json}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof BenchArgsError) {
      console.error(`npm run bench: ${error.message}\n(npm run bench -- --help lists the flags)`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
