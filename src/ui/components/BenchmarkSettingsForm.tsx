import type { Dispatch, SetStateAction } from 'react';
import {
  FULL_SETTINGS,
  minimumLeakStep,
  QUICK_SETTINGS,
  type BenchmarkSettings,
} from '../../benchmark-report/settings';
import type { BackendInfo } from '../../run/events';
import { BenchmarkKernelSelect } from './BenchmarkKernelSelect';

type CheckboxField = 'resnet18' | 'resnet50' | 'batch32' | 'batch128' | 'f16';
type TextField = 'customBatch' | 'width' | 'warmupSteps' | 'timedSteps' | 'leakStep';

/** The suite's settings: presets, networks, batch sizes, step counts, kernels and f16. */
export function BenchmarkSettingsForm({
  backend,
  settings,
  setSettings,
  running,
}: {
  /** Null until the worker reports it; the engine f16-storage/f16 row needs its shader-f16. */
  backend: BackendInfo | null;
  settings: BenchmarkSettings;
  setSettings: Dispatch<SetStateAction<BenchmarkSettings>>;
  running: boolean;
}) {
  const shaderF16 = backend?.shaderF16 ?? false;
  const set = <K extends keyof BenchmarkSettings>(key: K, value: BenchmarkSettings[K]) =>
    setSettings((s) => ({ ...s, [key]: value }));
  const box = (key: CheckboxField, text: string) => (
    <label>
      <input
        type="checkbox"
        checked={settings[key]}
        disabled={running}
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
    <fieldset className="bench-settings" disabled={running}>
      <legend className="visually-hidden">Benchmark settings</legend>
      <div className="toolbar" role="group" aria-label="Benchmark presets">
        <span className="small muted">Presets:</span>
        <button type="button" onClick={() => setSettings(FULL_SETTINGS)}>
          Full
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
        <BenchmarkKernelSelect
          value={settings.kernels}
          disabled={running}
          onChange={(kernels) => set('kernels', kernels)}
        />
      </div>
      <div className="toolbar">
        {box('f16', 'Engine FP16 rows')}
        {backend && (
          <span className="small muted" data-testid="benchmark-f16-note">
            {shaderF16
              ? 'engine f16-storage/f16 (f16 storage and arithmetic) and engine f16-storage/f32 (f32 arithmetic)'
              : 'engine f16-storage/f32 only (f32 arithmetic): this adapter has no shader-f16'}
          </span>
        )}
      </div>
    </fieldset>
  );
}
