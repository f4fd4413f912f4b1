import { isCpuAdapter } from '../../benchmark-report/derive';
import { READBACK_STEPS } from '../../run-control/readback-interval';
import type { BenchmarkRequest } from '../../worker/protocol';
import { formatDuration } from '../format';

/** The adapter and settings a run measured with, its duration, and a note when the GPU is a CPU. */
export function BenchmarkRunSummary({
  adapter,
  request,
  leakStep,
  seconds,
}: {
  adapter: string;
  request: BenchmarkRequest | null;
  leakStep: number;
  seconds: number;
}) {
  return (
    <>
      <p className="small">
        Adapter: <strong data-testid="benchmark-adapter">{adapter}</strong> ·{' '}
        {request &&
          `width ×${request.width}, kernels ${request.kernels}, ${request.warmupSteps} warm-up + ${request.timedSteps} timed steps (twice for the engine: readback every ${READBACK_STEPS} steps, then every step), memory read after steps 1 and ${leakStep} · `}
        {formatDuration(seconds)}
      </p>
      {adapter && isCpuAdapter(adapter) && (
        <p className="small muted" data-testid="benchmark-cpu-note">
          This adapter runs WebGPU on the CPU: the figures check that every path runs and are noisy;
          they say little about a GPU.
        </p>
      )}
    </>
  );
}
