import { useEffect, useMemo, useRef } from 'react';
import { KERNEL_SETTINGS, type KernelSetting } from '../../autotune/plan';
import {
  checkSettings,
  FULL_SETTINGS,
  minimumLeakStep,
  QUICK_SETTINGS,
  type BenchmarkSettings,
} from '../../benchmark/settings';
import { benchLinkQuery } from '../../benchmark/url';
import type { BackendInfo } from '../../run/events';
import type { BenchmarkController } from '../hooks/useBenchmark';
import { useBenchmarkSettings } from '../hooks/useBenchmarkSettings';
import { CopyLinkButton } from './CopyLinkButton';
import { IgnoredNotice } from './IgnoredNotice';
import { BenchmarkResults } from './BenchmarkResults';

/** Why the benchmark cannot run now, in words; null when it can. */
function unavailableReason(backend: BackendInfo | null, training: boolean): string | null {
  if (!backend) return 'Waiting for the GPU backend to start…';
  if (backend.backend !== 'webgpu') {
    return `The benchmark needs WebGPU; this browser runs TensorFlow.js on ${backend.backend === 'webgl' ? 'WebGL' : 'the CPU'}.`;
  }
  if (training) return 'A training run is in progress: the benchmark can run once it has ended.';
  return null;
}

/** The suite's progress names networks by id ("resnet18-style"); the page says "ResNet-18-style". */
const readable = (message: string) => message.replace(/resnet(\d+)-style/g, 'ResNet-$1-style');

type TextField = 'customBatch' | 'width' | 'warmupSteps' | 'timedSteps' | 'leakStep';

/** The kernel settings as the select names them. */
const KERNEL_LABELS: Record<KernelSetting, string> = {
  auto: 'auto: the fastest per layer (timed)',
  direct: 'direct (ours, no workgroup memory)',
  tiled: 'tiled (ours, implicit GEMM)',
  tfjs: 'tfjs (stock TensorFlow.js)',
};

const isKernelSetting = (value: string): value is KernelSetting =>
  (KERNEL_SETTINGS as readonly string[]).includes(value);

/**
 * The Benchmark panel (issue 5): stock tf.layers vs our engine on the user's own GPU, with the
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
  const shaderF16 = backend?.shaderF16 ?? false;
  const check = useMemo(() => checkSettings(settings, shaderF16), [settings, shaderF16]);
  const reason = unavailableReason(backend, training);
  const { running, stopping, progress } = benchmark;
  const set = <K extends keyof BenchmarkSettings>(key: K, value: BenchmarkSettings[K]) =>
    setSettings((s) => ({ ...s, [key]: value }));
  const box = (key: 'resnet18' | 'resnet50' | 'batch32' | 'batch128' | 'f16', text: string) => (
    <label>
      <input
        type="checkbox"
        checked={settings[key] && (key !== 'f16' || shaderF16)}
        disabled={running || (key === 'f16' && !shaderF16)}
        onChange={(e) => set(key, e.target.checked)}
      />{' '}
      {text}
    </label>
  );
  const field = (key: TextField, text: string, extra: { step?: number; placeholder?: string }) => (
    <label className="bench-field">
      {text}{' '}
      <input
        type="number"
        inputMode="decimal"
        value={settings[key]}
        step={extra.step ?? 1}
        placeholder={extra.placeholder}
        disabled={running}
        onChange={(e) => set(key, e.target.value)}
      />
    </label>
  );
  const timed = Number(settings.timedSteps);
  const warmup = Number(settings.warmupSteps);
  const leakPlaceholder =
    Number.isInteger(timed) && Number.isInteger(warmup)
      ? String(minimumLeakStep(warmup, timed))
      : '';

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
        <code>trainOnBatch</code>) and with this app’s engine (f32, and f16 where the GPU has{' '}
        <code>shader-f16</code>) on your GPU, on one random batch kept on the GPU, and reports
        images/s, the first step (kernel tuning and shader compilation), memory growth, the GPU’s
        measured peak, and every convolution kernel’s time per layer with the one chosen. The same
        suite as <code>npm run bench</code>.
      </p>
      <IgnoredNotice
        ignored={ignored}
        what="benchmark link parameter"
        testId="benchmark-ignored-notice"
      />
      <fieldset className="bench-settings" disabled={running}>
        <legend className="visually-hidden">Benchmark settings</legend>
        <div className="toolbar" role="group" aria-label="Benchmark presets">
          <span className="small muted">Presets:</span>
          <button type="button" onClick={() => setSettings(FULL_SETTINGS)}>
            Full (issue 5)
          </button>
          <button type="button" onClick={() => setSettings(QUICK_SETTINGS)}>
            Quick
          </button>
        </div>
        <div className="toolbar" role="group" aria-label="Networks">
          <span className="small muted">Networks:</span>
          {box('resnet18', 'ResNet-18-style (32×32)')}
          {box('resnet50', 'ResNet-50-style (64×64)')}
        </div>
        <div className="toolbar" role="group" aria-label="Batch sizes">
          <span className="small muted">Batch sizes:</span>
          {box('batch32', '32')}
          {box('batch128', '128')}
          {field('customBatch', 'Other batch size', { placeholder: 'none' })}
        </div>
        <div className="toolbar">
          {field('width', 'Width multiplier (both networks)', { step: 0.0625 })}
          {field('warmupSteps', 'Warm-up steps', {})}
          {field('timedSteps', 'Timed steps', {})}
          {field('leakStep', 'Leak check after step', { placeholder: leakPlaceholder })}
        </div>
        <div className="toolbar">
          <label className="bench-field">
            Convolution kernels{' '}
            <select
              value={settings.kernels}
              disabled={running}
              onChange={(e) => {
                const value = e.target.value;
                if (isKernelSetting(value)) set('kernels', value);
              }}
            >
              {KERNEL_SETTINGS.map((k) => (
                <option key={k} value={k}>
                  {KERNEL_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="toolbar">
          {box('f16', 'Engine f16 rows')}
          {!shaderF16 && backend && (
            <span className="small muted" data-testid="benchmark-f16-note">
              not available: this adapter has no shader-f16
            </span>
          )}
        </div>
      </fieldset>
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
      {running && (
        <div className="bench-progress" role="status" data-testid="benchmark-progress">
          <progress
            aria-label="Benchmark progress"
            max={progress?.rowsTotal ?? 1}
            value={progress?.rowsDone ?? 0}
          />{' '}
          <span>
            {stopping ? 'Stopping after the current step… ' : ''}
            {progress
              ? `${progress.rowsDone} of ${progress.rowsTotal} rows · ${readable(progress.message)}`
              : 'Starting…'}
          </span>
        </div>
      )}
      <BenchmarkResults benchmark={benchmark} />
    </details>
  );
}
