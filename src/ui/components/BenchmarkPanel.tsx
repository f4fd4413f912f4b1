import { useEffect, useMemo, useRef } from 'react';
import { checkSettings } from '../../benchmark-report/settings';
import { benchLinkQuery } from '../../benchmark-report/url';
import type { BackendInfo } from '../../run/events';
import type { BenchmarkController } from '../hooks/benchmark-controller';
import { useBenchmarkSettings } from '../hooks/useBenchmarkSettings';
import { CopyLinkButton } from './CopyLinkButton';
import { IgnoredNotice } from './IgnoredNotice';
import { BenchmarkResults } from './BenchmarkResults';
import { BenchmarkRunProgress } from './BenchmarkRunProgress';
import { BenchmarkSettingsForm } from './BenchmarkSettingsForm';

/** Why the benchmark cannot run now, in words; null when it can. */
function unavailableReason(backend: BackendInfo | null, training: boolean): string | null {
  if (!backend) return 'Waiting for the GPU backend to start…';
  if (backend.backend !== 'webgpu') {
    return `The benchmark needs WebGPU; this browser runs TensorFlow.js on ${backend.backend === 'webgl' ? 'WebGL' : 'the CPU'}.`;
  }
  if (training) return 'A training run is in progress: the benchmark can run once it has ended.';
  return null;
}

/**
 * The Benchmark panel: stock tf.layers vs our engine on the user's own GPU, with the
 * same suite as `npm run bench`, run in the training worker.
 */
export function BenchmarkPanel({
  backend,
  training,
  benchmark,
}: {
  backend: BackendInfo | null;
  /** A training run is in progress (the two would share the GPU). */
  training: boolean;
  benchmark: BenchmarkController;
}) {
  const { settings, setSettings, ignored, openOnLoad } = useBenchmarkSettings();
  const detailsRef = useRef<HTMLDetailsElement>(null);
  // A link with the panel's parameters opens it and scrolls to it; it never starts a run.
  useEffect(() => {
    if (openOnLoad) detailsRef.current?.scrollIntoView({ block: 'start' });
  }, [openOnLoad]);
  const check = useMemo(() => checkSettings(settings), [settings]);
  const reason = unavailableReason(backend, training);
  const { running, stopping, progress } = benchmark;

  return (
    <details
      className="benchmark"
      data-testid="benchmark-panel"
      ref={detailsRef}
      open={openOnLoad || undefined}
    >
      <summary>
        <h2>Benchmark</h2>
      </summary>
      <p className="muted small">
        Trains the same ResNets with stock TensorFlow.js (<code>tf.layers</code> +{' '}
        <code>trainOnBatch</code>) and with this app’s engine (f32, and FP16: f16 storage with f32
        arithmetic on every GPU, f16 arithmetic too where the GPU has <code>shader-f16</code>) on
        your GPU, on one random batch kept on the GPU, and reports images/s, the first step (kernel
        tuning and shader compilation), a step’s peak GPU memory, memory growth, the GPU’s measured
        peak, and every convolution kernel’s time per layer with the one chosen. The same suite as{' '}
        <code>npm run bench</code>.
      </p>
      <IgnoredNotice
        ignored={ignored}
        what="benchmark link parameter"
        testId="benchmark-ignored-notice"
      />
      <BenchmarkSettingsForm
        backend={backend}
        settings={settings}
        setSettings={setSettings}
        running={running}
      />
      <div className="button-row">
        <button
          type="button"
          className="button-primary"
          disabled={running || reason !== null || !check.ok}
          onClick={() => check.ok && benchmark.run(check.request)}
        >
          Run benchmark
        </button>
        <button type="button" disabled={!running || stopping} onClick={benchmark.stop}>
          Stop
        </button>
        <CopyLinkButton
          label="Copy benchmark link"
          link={() =>
            `${window.location.origin}${window.location.pathname}?${benchLinkQuery(settings)}`
          }
        />
      </div>
      {!check.ok && (
        <ul className="problems" role="status" aria-label="Benchmark settings to fix">
          {check.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {reason && !running && (
        <p className="notice small" role="status" data-testid="benchmark-unavailable">
          {reason}
        </p>
      )}
      {running && <BenchmarkRunProgress progress={progress} stopping={stopping} />}
      <BenchmarkResults benchmark={benchmark} />
    </details>
  );
}
