import { KERNEL_SETTINGS, type KernelSetting } from '../../tuning-plan/plan';

/** The kernel settings as the select names them. */
const KERNEL_LABELS: Record<KernelSetting, string> = {
  auto: 'auto: the fastest per layer (timed)',
  direct: 'direct (ours, no workgroup memory)',
  tiled: 'tiled (ours, implicit GEMM)',
  tfjs: 'tfjs (stock TensorFlow.js)',
};

const isKernelSetting = (value: string): value is KernelSetting =>
  (KERNEL_SETTINGS as readonly string[]).includes(value);

/** Which convolution kernels the engine rows run with. */
export function BenchmarkKernelSelect({
  value,
  disabled,
  onChange,
}: {
  value: KernelSetting;
  disabled: boolean;
  onChange: (kernels: KernelSetting) => void;
}) {
  return (
    <label className="bench-field">
      Convolution kernels{' '}
      <select
        value={value}
        disabled={disabled}
        onChange={(e) => {
          const next = e.target.value;
          if (isKernelSetting(next)) onChange(next);
        }}
      >
        {KERNEL_SETTINGS.map((k) => (
          <option key={k} value={k}>
            {KERNEL_LABELS[k]}
          </option>
        ))}
      </select>
    </label>
  );
}
