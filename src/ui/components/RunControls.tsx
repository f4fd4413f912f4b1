import type { RunRecord } from '../runs';

export interface RunControlsProps {
  active: RunRecord | null;
  /** Reasons the current settings cannot be trained; Train is disabled while there are any. */
  problems: string[];
  unavailable: boolean;
  onTrain: () => void;
  onPause: () => void;
  onResume: () => void;
  onStep: () => void;
  onStop: () => void;
}

/** Train / Pause / Resume / Step / Stop. */
export function RunControls(props: RunControlsProps) {
  const { active, problems, unavailable } = props;
  const running = !!active && active.phase !== 'paused';
  const paused = active?.phase === 'paused';
  return (
    <div className="run-controls">
      <div className="button-row" role="group" aria-label="Run controls">
        <button
          type="button"
          className="button-primary"
          onClick={props.onTrain}
          disabled={!!active || problems.length > 0 || unavailable}
        >
          Train
        </button>
        <button type="button" onClick={props.onPause} disabled={!running}>
          Pause
        </button>
        <button type="button" onClick={props.onResume} disabled={!paused}>
          Resume
        </button>
        <button
          type="button"
          onClick={props.onStep}
          disabled={!paused}
          title="Run exactly one optimizer step, then stay paused"
        >
          Step
        </button>
        <button type="button" onClick={props.onStop} disabled={!active}>
          Stop
        </button>
      </div>
      {problems.length > 0 && (
        <ul className="problems" role="status" aria-label="Settings to fix before training">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
