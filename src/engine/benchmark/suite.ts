import {
  assembleReport,
  basisBatch,
  basisModel,
  fp16Variants,
  type BenchModel,
  type BenchReport,
  type BenchRow,
  type BenchVariant,
  type LargestConv,
  type RooflinePeaks,
} from '../../benchmark-report/report';
import { f32Ops } from '../heavy-ops';
import { deviceHasShaderF16 } from '../kernels/dispatch';
import { measureLargestConv, measureLayers } from './layer-timings';
import { measureRow } from './measure-row';
import { measureCopyPeak, measureFmaPeak } from './peaks';
import { validateSuiteOptions, type SuiteOptions } from './suite-options';

/**
 * The engine benchmark, shared by `npm run bench` (Node, Dawn) and the page's Benchmark panel
 * (worker). First the roofline peaks (FMA and streaming copy), then every f32 convolution op of the
 * ratio network timed with each kernel that can run it (cuDNN's find results; the choices go into
 * the tuning cache), then its largest convolution. Then for each model × batch: the stock tf.layers
 * baseline, our engine in f32 and in FP16 (packed f16 storage: with f16 arithmetic where the
 * device has shader-f16, and with f32 arithmetic on every adapter), each trained for `leakStep`
 * steps of the same images, uploaded and augmented each step. An engine row runs the trainer's own
 * step (step.ts: FP16 with dynamic loss scaling, its unscaling and overflow check), tunes in its
 * first step as the trainer does (with the cache filled, nothing is timed), and is timed twice:
 * as training runs, the loss read back every READBACK_STEPS steps (img/s), then with a readback
 * after every step (sync img/s, what trainOnBatch does: tf.layers has only that one figure). Every
 * timed window ends when the GPU has finished its work.
 */

export { RESNET18_STYLE, RESNET50_STYLE, type BenchModelConfig } from './bench-models';
export { type SuiteOptions } from './suite-options';

export interface SuiteResult {
  report: BenchReport;
  leakStep: number;
  /** The largest convolution of the ratio network: name, shape, kernel and its GFLOP/s. */
  largestConv: LargestConv;
  /** The network and batch of the per-layer tuning (and of the ratios). */
  layersOf: { model: BenchModel; batch: number };
}

export async function runBenchmarkSuite(
  options: SuiteOptions,
  adapter: string,
): Promise<SuiteResult> {
  validateSuiteOptions(options);
  options.signal?.throwIfAborted();
  const kernels = options.kernels ?? 'auto';
  const variants: BenchVariant[] = ['tf.layers', 'engine f32'];
  if (options.f16 ?? true) variants.push(...fp16Variants(deviceHasShaderF16()));
  options.onProgress?.('measuring the FMA peak');
  const fma = await measureFmaPeak();
  options.onProgress?.('measuring the memory bandwidth peak');
  const copy = await measureCopyPeak();
  const peaks: RooflinePeaks = {
    gflops: fma.gflops,
    gbps: copy.gbps,
    fmaDispatchMs: fma.dispatchMs,
    copyDispatchMs: copy.dispatchMs,
  };
  options.onPeaks?.(peaks);
  const basis = basisModel(options.models.map((m) => m.model));
  const ratioModel = options.models.find((m) => m.model === basis)!;
  const ratioBatch = basisBatch(options.batches);
  options.signal?.throwIfAborted();
  options.onProgress?.(`timing every kernel of each convolution (${basis} batch ${ratioBatch})`);
  const { tuning, ops: tunedOps } = await measureLayers(ratioModel, ratioBatch, options);
  options.onLayers?.(tuning);
  options.signal?.throwIfAborted();
  options.onProgress?.('timing the largest convolution');
  const convOps = kernels === 'auto' ? tunedOps : f32Ops(kernels);
  const largestConv = await measureLargestConv(ratioModel, ratioBatch, convOps);
  options.onLargestConv?.(largestConv);
  const rows: BenchRow[] = [];
  for (const config of options.models) {
    for (const batch of options.batches) {
      for (const name of variants) {
        const row = await measureRow(name, config, batch, options);
        rows.push(row);
        options.onRow?.(row);
      }
    }
  }
  return {
    report: assembleReport({
      adapter,
      kernels,
      rows,
      peaks,
      convGflops: largestConv.gflops,
      tuning,
    }),
    leakStep: options.leakStep,
    largestConv,
    layersOf: { model: basis, batch: ratioBatch },
  };
}
