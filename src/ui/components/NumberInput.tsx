import { useState } from 'react';
import {
  parseParamValue,
  type ExperimentConfig,
  type NumberParam,
  type ParamKey,
} from '../../config';

/** What every input of a parameter gets: its ids and where a valid value goes. */
export interface ParamInputProps {
  id: string;
  helpId: string;
  paramKey: ParamKey;
  onChange: (key: ParamKey, value: ExperimentConfig[ParamKey]) => void;
}

/**
 * A number field that keeps what the user types: the config only changes once the text parses
 * and passes the table's limits; otherwise the reason is shown under the field.
 */
export function NumberInput({
  id,
  helpId,
  paramKey,
  spec,
  value,
  onChange,
}: ParamInputProps & { spec: NumberParam; value: number }) {
  const [draft, setDraft] = useState(String(value));
  const [shown, setShown] = useState(value);
  const [problem, setProblem] = useState<string | null>(null);
  if (shown !== value) {
    // The value changed from outside (another control, a reload): show it.
    setShown(value);
    setDraft(String(value));
    setProblem(null);
  }
  const errorId = `${id}-error`;
  return (
    <>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={spec.min}
        max={spec.max}
        step={spec.step}
        value={draft}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${helpId} ${errorId}` : helpId}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const parsed = parseParamValue(paramKey, text);
          if (parsed.ok) {
            setProblem(null);
            setShown(parsed.value as number);
            onChange(paramKey, parsed.value);
          } else {
            setProblem(text.trim() === '' ? 'is required' : parsed.reason);
          }
        }}
        onBlur={() => {
          if (problem) {
            setDraft(String(value));
            setProblem(null);
          }
        }}
      />
      {problem && (
        <span className="field-error" id={errorId}>
          {spec.label} {problem}
        </span>
      )}
    </>
  );
}
