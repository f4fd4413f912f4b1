/**
 * A training step's GPU time by kernel, from per-dispatch timestamps (the measurement lives in
 * src/engine/benchmark/step-profile.ts). Pure.
 */

export interface KernelTime {
  /** The pipeline's label: ours name the kernel ("bn-stats", "direct forward f32"), tfjs's its program. */
  kernel: string;
  dispatches: number;
  /** GPU milliseconds of all its dispatches in the step. */
  ms: number;
}

export interface StepProfile {
  /** Most GPU time first. */
  kernels: KernelTime[];
  dispatches: number;
  /** GPU milliseconds of every dispatch of the step together. */
  gpuMs: number;
  /**
   * The step's duration as trained (a readback after it, outside the profile). On a GPU, gpuMs ÷
   * stepMs is the share of the step the GPU worked, the rest the CPU encoding and submitting
   * dispatches, uploads and waiting; timing one dispatch per pass adds each pass's own overhead,
   * which on a CPU adapter (lavapipe) can sum to more than the step.
   */
  stepMs: number;
}

/** Groups timed passes (one dispatch each, or a few) by kernel label; empty passes are dropped. */
export function kernelTimes(
  passes: readonly { label: string; dispatches: number; ms: number }[],
  stepMs: number,
): StepProfile {
  const byKernel = new Map<string, KernelTime>();
  for (const p of passes) {
    if (p.dispatches === 0) continue;
    const entry = byKernel.get(p.label) ?? { kernel: p.label, dispatches: 0, ms: 0 };
    entry.dispatches += p.dispatches;
    // A timestamp pair out of order (a driver reset its counter) counts as no time.
    entry.ms += Math.max(0, p.ms);
    byKernel.set(p.label, entry);
  }
  const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms);
  return {
    kernels,
    dispatches: kernels.reduce((n, k) => n + k.dispatches, 0),
    gpuMs: kernels.reduce((ms, k) => ms + k.ms, 0),
    stepMs,
  };
}

/** The profile as a fixed-width table: kernel, dispatches, GPU ms and share, then the totals. */
export function formatStepProfile(profile: StepProfile, title: string): string {
  const head = [
    'kernel'.padEnd(34),
    'dispatches'.padStart(10),
    'GPU ms'.padStart(9),
    'share'.padStart(6),
  ].join(' ');
  const share = (ms: number) =>
    profile.gpuMs > 0 ? `${((ms / profile.gpuMs) * 100).toFixed(0)}%` : '—';
  const lines = [title, head, '-'.repeat(head.length)];
  for (const k of profile.kernels) {
    lines.push(
      [
        k.kernel.slice(0, 34).padEnd(34),
        String(k.dispatches).padStart(10),
        k.ms.toFixed(3).padStart(9),
        share(k.ms).padStart(6),
      ].join(' '),
    );
  }
  lines.push(
    `${profile.dispatches} dispatches, ${profile.gpuMs.toFixed(2)} ms of GPU work in a ` +
      `${profile.stepMs.toFixed(2)} ms step (GPU work ÷ step: ${gpuShare(profile)})`,
  );
  return lines.join('\n');
}

/** GPU work ÷ the step's duration, e.g. "64%". */
export function gpuShare(profile: StepProfile): string {
  return profile.stepMs > 0 ? `${((profile.gpuMs / profile.stepMs) * 100).toFixed(0)}%` : '—';
}
