import type { SweepPlan, SweepStep, SweepTable } from '../../experiments/sweeps';

export interface SweepState {
  plan: SweepPlan;
  /** Index of the next step to start. */
  next: number;
  /** Run ids of the steps started so far. */
  ids: string[];
}

const BUTTONS: { table: SweepTable; text: string }[] = [
  { table: 'table4', text: 'Reproduce Table 4' },
  { table: 'table5', text: 'Reproduce Table 5' },
  { table: 'table6', text: 'Reproduce Table 6' },
  { table: 'table7', text: 'Reproduce Table 7' },
  { table: 'table9', text: 'Reproduce Table 9' },
];

function stepText(step: SweepStep): string {
  const column = step.column ? `, ${step.column}` : '';
  return `${step.label}${column} · seed ${step.config.seed}`;
}

/**
 * The list's numbers of the runs that teach this one (with shared teachers, of the first seed)
 * and that it starts from (Table 9's FCNs).
 */
function teacherText(step: SweepStep): string {
  const teacher = step.teacherStep === undefined ? '' : ` (teacher: run ${step.teacherStep + 1})`;
  const backbone =
    step.backboneStep === undefined ? '' : ` (backbone: run ${step.backboneStep + 1})`;
  return `${teacher}${backbone}`;
}

/** Queues the paper's sequence of runs, scaled to the current settings. */
export function SweepControls({
  sweep,
  disabled,
  repeats,
  longMixup,
  onLongMixup,
  sharedTeachers,
  onSharedTeachers,
  onStart,
  onCancel,
}: {
  sweep: SweepState | null;
  disabled: boolean;
  /** Seeds per row (the `repeats` setting). */
  repeats: number;
  longMixup: boolean;
  onLongMixup: (on: boolean) => void;
  sharedTeachers: boolean;
  onSharedTeachers: (on: boolean) => void;
  onStart: (table: SweepTable) => void;
  onCancel: () => void;
}) {
  return (
    <section className="sweeps" aria-labelledby="sweeps-heading">
      <h2 id="sweeps-heading">Sweeps</h2>
      <div className="toolbar">
        {BUTTONS.map((b) => (
          <button
            key={b.table}
            type="button"
            disabled={disabled || sweep !== null}
            onClick={() => onStart(b.table)}
          >
            {b.text}
          </button>
        ))}
        {sweep && (
          <button type="button" onClick={onCancel}>
            Cancel queue
          </button>
        )}
      </div>
      <label className="small">
        <input
          type="checkbox"
          checked={longMixup}
          disabled={sweep !== null}
          onChange={(e) => onLongMixup(e.target.checked)}
        />{' '}
        Table 6: mixup rows train 200/120 as many epochs (paper §5.5)
      </label>
      <label className="small">
        <input
          type="checkbox"
          checked={sharedTeachers}
          disabled={sweep !== null}
          onChange={(e) => onSharedTeachers(e.target.checked)}
        />{' '}
        Table 6: every seed distills from the first seed’s teachers (the paper used one pretrained
        teacher; off: each seed trains its own)
      </label>
      {sweep ? (
        <div role="status" data-testid="sweep-status">
          <p>
            {sweep.plan.title}: run {Math.min(sweep.ids.length, sweep.plan.steps.length)} of{' '}
            {sweep.plan.steps.length} (
            {stepText(sweep.plan.steps[Math.max(0, sweep.ids.length - 1)]!)}).
          </p>
          <ol className="small">
            {sweep.plan.steps.map((s, i) => (
              <li key={i}>
                {stepText(s)}
                {teacherText(s)}
                {s.inTable ? '' : ' (teacher, not a row)'}
                {sweep.ids[i] ? ` → ${sweep.ids[i]}` : ''}
              </li>
            ))}
          </ol>
          {sweep.plan.notes.length > 0 && (
            <ul className="small muted">
              {sweep.plan.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <p className="muted small">
          Queues the paper’s rows at the current model width, input, data sizes and epochs, each{' '}
          {repeats === 1
            ? 'with one seed (set Repeats to train every row with several seeds and get error bars)'
            : `with ${repeats} seeds (seed, seed + 1, …; the same seeds in every row)`}
          ; the comparison table fills as the runs finish.
        </p>
      )}
    </section>
  );
}
