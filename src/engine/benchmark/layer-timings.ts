import * as tf from '@tensorflow/tfjs-core';
import { allConvBns, summarizeResNet } from '../../architecture';
import type { BenchLayer, LargestConv, LayerTuning } from '../../benchmark-report/report';
import { tuneConvolutions } from '../autotune/tuner';
import { f32Ops, kernelGeometry, type HeavyOps } from '../heavy-ops';
import { kernelTraffic } from '../kernels/kernel-traffic';
import { specOf, type BenchModelConfig } from './bench-models';
import { tuningProgress, type SuiteOptions } from './suite-options';

/** The per-layer table (every candidate kernel of every convolution) and the largest convolution. */

/**
 * Every f32 convolution op of `config`'s network at `batch`, each candidate kernel timed (the
 * cache ignored, the results saved into it), like cuDNN's find. `chosen` is the kernel the run's
 * setting uses: the fastest under 'auto', else the forced family's. Returns the tuned 'auto' ops
 * too (their choices installed), for the largest-convolution timing.
 */
export async function measureLayers(
  config: BenchModelConfig,
  batch: number,
  options: SuiteOptions,
): Promise<{ tuning: LayerTuning; ops: HeavyOps }> {
  const spec = specOf(config);
  const ops = f32Ops('auto');
  const common = {
    spec,
    input: config.input,
    batch,
    adapter: options.adapter,
    cache: options.tuningCache ?? null,
    signal: options.signal,
  };
  const start = performance.now();
  const tuned = await tuneConvolutions({
    ...common,
    ops,
    ignoreCache: true,
    timeEveryCandidate: options.timeEveryCandidate,
    onProgress: tuningProgress(`${config.model} batch ${batch}: `, options.onProgress),
  });
  const ms = performance.now() - start;
  for (const notice of tuned.notices) options.onProgress?.(notice);
  const setting = options.kernels ?? 'auto';
  // Under a forced family the tuner times nothing and lists the kernels that will run.
  const runs =
    setting === 'auto' ? tuned : await tuneConvolutions({ ...common, ops: f32Ops(setting) });
  const chosen = new Map(runs.convs.map((c) => [c.key, c.chosen]));
  const layers: BenchLayer[] = tuned.convs.map((c) => ({
    op: c.op,
    shape: c.shape,
    candidates: c.candidates.map((t) => {
      const timed = Number.isFinite(t.ms);
      const traffic = timed ? kernelTraffic(t.id, c.op, c.geometry) : null;
      return {
        id: t.id,
        family: t.family,
        ms: timed ? t.ms : null,
        gflops: timed ? t.gflops : null,
        gbps: traffic ? bytesPerSecond(traffic, t.ms) / 1e9 : null,
      };
    }),
    chosen: chosen.get(c.key) ?? c.chosen,
  }));
  return { tuning: { layers, ms, timer: tuned.timer }, ops };
}

/** Bytes read and written per second over a run of `ms` milliseconds. */
export function bytesPerSecond(
  traffic: { bytesRead: number; bytesWritten: number },
  ms: number,
): number {
  return (traffic.bytesRead + traffic.bytesWritten) / (ms / 1000);
}

/** Convolutions queued per timing, so that one readback's latency is spread over them. */
const CONV_REPEATS = 10;

/**
 * The convolution with the most multiply-adds in `config`'s network, timed forward in f32 as the
 * engine f32 rows run it (`ops`: the kernel their setting chooses): best of 5 timings of
 * CONV_REPEATS queued dispatches and one readback.
 */
export async function measureLargestConv(
  config: BenchModelConfig,
  batch: number,
  ops: HeavyOps,
): Promise<LargestConv> {
  const spec = specOf(config);
  const convs = summarizeResNet(spec, config.input).layers.filter((l) => l.name.endsWith('.conv'));
  const largest = convs.reduce((a, b) => (b.macs > a.macs ? b : a));
  const conv = allConvBns(spec).find((cb) => cb.conv.name === largest.name)!.conv;
  const inSize = largest.output[0] * conv.stride;
  const x = tf.randomNormal([batch, inSize, inSize, conv.inChannels]) as tf.Tensor4D;
  const w = tf.randomNormal([
    conv.kernel,
    conv.kernel,
    conv.inChannels,
    conv.outChannels,
  ]) as tf.Tensor4D;
  const kernel =
    ops.kernels?.choose('forward', kernelGeometry(x.shape, w.shape, conv.stride, conv.pad)).id ??
    'tfjs';
  const run = async (repeats: number) => {
    const outputs = Array.from({ length: repeats }, () =>
      ops.conv2d(x, w, conv.stride, conv.pad, conv.dilation),
    );
    await outputs[repeats - 1]!.data();
    tf.dispose(outputs);
  };
  try {
    await run(1);
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      await run(CONV_REPEATS);
      best = Math.min(best, (performance.now() - start) / CONV_REPEATS);
    }
    const flops = 2 * largest.macs * batch;
    return {
      name: conv.name,
      shape: `${conv.kernel}×${conv.kernel}/${conv.stride}, ${conv.inChannels}→${conv.outChannels} @${inSize}, batch ${batch}`,
      kernel,
      gflops: flops / (best / 1000) / 1e9,
    };
  } finally {
    tf.dispose([x, w]);
  }
}
