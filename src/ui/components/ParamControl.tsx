import type { ReactNode } from 'react';
import { parseParamValue, paramSpec, type ExperimentConfig, type ParamKey } from '../../config';
import { NumberInput, type ParamInputProps } from './NumberInput';

export interface ParamControlProps {
  paramKey: ParamKey;
  value: ExperimentConfig[ParamKey];
  onChange: (key: ParamKey, value: ExperimentConfig[ParamKey]) => void;
  /** Replaces the default input (used for the distillation teacher select). */
  children?: ReactNode;
  /** Extra notes shown under the help text. */
  note?: ReactNode;
}

export function controlId(key: ParamKey): string {
  return `param-${key}`;
}

/** One row of the trick panel: a visible label, the input, and the help text. */
export function ParamControl({ paramKey, value, onChange, children, note }: ParamControlProps) {
  const spec = paramSpec(paramKey);
  const id = controlId(paramKey);
  const helpId = `${id}-help`;
  let input: ReactNode = children;
  if (!input) {
    switch (spec.kind) {
      case 'bool':
        input = (
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-describedby={helpId}
            onChange={(e) => onChange(paramKey, e.target.checked)}
          />
        );
        break;
      case 'enum':
        input = (
          <select
            id={id}
            value={String(value)}
            aria-describedby={helpId}
            onChange={(e) => onChange(paramKey, e.target.value as ExperimentConfig[ParamKey])}
          >
            {spec.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        );
        break;
      case 'number':
        input = (
          <NumberInput
            id={id}
            helpId={helpId}
            paramKey={paramKey}
            spec={spec}
            value={value as number}
            onChange={onChange}
          />
        );
        break;
      case 'text':
        input = (
          <TextInput
            id={id}
            helpId={helpId}
            paramKey={paramKey}
            value={String(value)}
            onChange={onChange}
          />
        );
        break;
    }
  }
  const unit = spec.kind === 'number' ? spec.unit : undefined;
  return (
    <div className={`param param-${spec.kind}`} data-param={paramKey}>
      <div className="param-row">
        <label htmlFor={id}>{spec.label}</label>
        <span className="param-input">
          {input}
          {unit && <span className="param-unit">{unit}</span>}
        </span>
      </div>
      <p className="param-help" id={helpId}>
        {spec.help}
      </p>
      {note}
    </div>
  );
}

function TextInput({ id, helpId, paramKey, value, onChange }: ParamInputProps & { value: string }) {
  return (
    <input
      id={id}
      type="text"
      value={value}
      aria-describedby={helpId}
      onChange={(e) => {
        const parsed = parseParamValue(paramKey, e.target.value);
        if (parsed.ok) onChange(paramKey, parsed.value);
      }}
    />
  );
}
