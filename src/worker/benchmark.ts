import { describeBenchmarkFailure } from '../benchmark-report/derive';
import type { BenchRow, LargestConv, LayerTuning, RooflinePeaks } from '../benchmark-report/report';
import { plannedRowCount, type BenchmarkRequest } from '../benchmark-report/settings';
import type { BenchmarkEvent, BenchmarkOutcome } from './protocol';
import type { BackendInfo } from '../run/events';
import { indexedDbTuningCache } from './tuning-cache';
import { errorMessage } from '../errors';

/**
 * Runs the engine benchmark suite (src/engine/benchmark/suite.ts, the one `npm run bench` runs)
 * on the worker's WebGPU backend, streaming progress, the per-layer kernel timings and each row
 * as they are measured. The suite (and tf.layers with it) is loaded on first use, so the worker
 * starts as fast as before. Tuned kernel choices go into the page's IndexedDB cache, the one
 * training reads.
 */
export async function runBenchmarkOnBackend(
  backend: BackendInfo,
  request: BenchmarkRequest,
  signal: AbortSignal,
  emit: (event: BenchmarkEvent) => void,
): Promise<BenchmarkOutcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const rowsTotal = plannedRowCount(request, backend.shaderF16);
  const rows: BenchRow[] = [];
  let peaks: RooflinePeaks | null = null;
  let tuning: LayerTuning | null = null;
  let largestConv: LargestConv | null = null;
  let during: string | null = null;
  const progress = (message: string) => {
    during = message;
    emit({ type: 'progress', message, rowsDone: rows.length, rowsTotal });
  };
  try {
    progress('loading the benchmark code');
    const suite = await import('../engine/benchmark/suite');
    const result = await suite.runBenchmarkSuite(
      {
        models: request.models.map((m) => ({
          ...(m === 'resnet18-style' ? suite.RESNET18_STYLE : suite.RESNET50_STYLE),
          width: request.width,
        })),
        batches: request.batches,
        warmupSteps: request.warmupSteps,
        timedSteps: request.timedSteps,
        leakStep: request.leakStep,
        f16: request.f16,
        kernels: request.kernels,
        adapter: backend.adapterIdentity ?? {
          vendor: 'unknown',
          architecture: '',
          device: '',
          description: backend.adapter,
          software: '',
        },
        tuningCache: indexedDbTuningCache,
        signal,
        onProgress: progress,
        onPeaks: (measured) => {
          peaks = measured;
          emit({ type: 'peaks', peaks: measured });
        },
        onLayers: (measured) => {
          tuning = measured;
          emit({ type: 'layers', tuning: measured });
        },
        onLargestConv: (conv) => {
          largestConv = conv;
          emit({ type: 'largestConv', largestConv: conv });
        },
        onRow: (row) => {
          rows.push(row);
          emit({ type: 'row', row });
          progress(`measured ${row.name} ${row.model} batch ${row.batch}`);
        },
      },
      backend.adapter,
    );
    return {
      status: 'finished',
      report: result.report,
      leakStep: result.leakStep,
      largestConv: result.largestConv,
      seconds: seconds(),
    };
  } catch (err) {
    const partial = {
      adapter: backend.adapter,
      rows,
      peaks,
      tuning,
      largestConv,
      seconds: seconds(),
    };
    if (signal.aborted) {
      return {
        status: 'stopped',
        message: `Stopped after ${rows.length} of ${rowsTotal} rows.`,
        ...partial,
      };
    }
    const message = errorMessage(err);
    return { status: 'failed', message: describeBenchmarkFailure(message, during), ...partial };
  }
}
