import { useMemo, useState } from 'react';
import type { ExperimentConfig } from '../../config/params';
import type { SavedRun } from '../../experiments/saved-run';
import {
  DEFAULT_BUDGET_SECONDS,
  LESSONS,
  lessonById,
  lessonOutcome,
  planLesson,
  type Lesson,
  type LessonOutcome,
  type LessonPlan,
  type RacerResult,
  type Throughput,
} from '../../lessons';
import { formatCount, formatMacs } from '../format';

export interface LessonsPanelProps {
  lessonId: string | null;
  onSelect: (id: string | null) => void;
  /** Measured on this GPU (the benchmark, or a run's first steps); null before any. */
  throughput: Throughput | null;
  /** The user's settings: the lessons keep their model, augmentation, seed and repeats. */
  baseConfig: ExperimentConfig;
  disabled: boolean;
  onStart: (plan: LessonPlan) => void;
  /** The runs of the lesson's last race (every seed, the teacher excluded); empty before. */
  raceRuns: SavedRun[];
}

const MIN_MINUTES = 0.5;
const MAX_MINUTES = 30;

function parseMinutes(text: string): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n >= MIN_MINUTES && n <= MAX_MINUTES
    ? n
    : null;
}

const fixedOrDash = (x: number | null, digits: number) => (x === null ? '—' : x.toFixed(digits));

/** Only the columns the lesson's claims measure, top-1 always. */
function OutcomeTable({ lesson, racers }: { lesson: Lesson; racers: RacerResult[] }) {
  const metrics = new Set(lesson.claims.map((c) => c.metric));
  const gap = metrics.has('logitGap');
  const time = metrics.has('secondsPerEpoch');
  const arch = metrics.has('params') || metrics.has('macs');
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">Measured result of each racer</caption>
        <thead>
          <tr>
            <th scope="col">Racer</th>
            <th scope="col">Seeds</th>
            <th scope="col">Top-1 (%)</th>
            {gap && <th scope="col">Mean logit gap</th>}
            {time && <th scope="col">Time/epoch (s)</th>}
            {arch && <th scope="col">Parameters</th>}
            {arch && <th scope="col">Multiply-adds</th>}
          </tr>
        </thead>
        <tbody>
          {racers.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td>{r.seeds.length}</td>
              <td>{fixedOrDash(r.top1, 2)}</td>
              {gap && (
                <td>
                  {fixedOrDash(r.meanGap, 2)}
                  {r.theoreticalGap !== null && ` (Eq. 5: ${r.theoreticalGap.toFixed(2)})`}
                </td>
              )}
              {time && <td>{fixedOrDash(r.secondsPerEpoch, 2)}</td>}
              {arch && <td>{r.params === null ? '—' : formatCount(r.params)}</td>}
              {arch && <td>{r.macs === null ? '—' : formatMacs(r.macs)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Outcome({ lesson, outcome }: { lesson: Lesson; outcome: LessonOutcome }) {
  const settled = outcome.state === 'done' || outcome.state === 'incomplete';
  // When done, the headline is the first claim's sentence.
  const listed = outcome.state === 'done' ? outcome.claims.slice(1) : outcome.claims;
  return (
    <div className="lesson-outcome" data-testid="lesson-outcome" role="status">
      <h4>Outcome</h4>
      <p>{outcome.headline}</p>
      {settled && listed.length > 0 && (
        <ul className="small">
          {listed.map((c, i) => (
            <li key={i}>{c.sentence}</li>
          ))}
        </ul>
      )}
      {settled && <OutcomeTable lesson={lesson} racers={outcome.racers} />}
    </div>
  );
}

/**
 * One guided lesson per idea of the paper: its text, what to look for, the race sized to this
 * GPU, and afterwards what the race measured next to what the paper reports.
 */
export function LessonsPanel({
  lessonId,
  onSelect,
  throughput,
  baseConfig,
  disabled,
  onStart,
  raceRuns,
}: LessonsPanelProps) {
  const lesson = lessonById(lessonId) ?? null;
  const [budgetText, setBudgetText] = useState(String(DEFAULT_BUDGET_SECONDS / 60));
  const [minutes, setMinutes] = useState(DEFAULT_BUDGET_SECONDS / 60);
  const [started, setStarted] = useState<LessonPlan | null>(null);
  const budgetInvalid = parseMinutes(budgetText) === null;

  const plan = useMemo(
    () =>
      lesson ? planLesson(lesson, baseConfig, throughput, { budgetSeconds: minutes * 60 }) : null,
    [lesson, baseConfig, throughput, minutes],
  );
  // The runs belong to this lesson when it is the one started here, or when nothing was started
  // here (a reload: the page knows the lesson of its last race).
  const ownRuns = !started || started.lessonId === lesson?.id;
  const outcome = useMemo(
    () =>
      lesson && ownRuns && raceRuns.length > 0
        ? lessonOutcome(lesson, raceRuns, started?.lessonId === lesson.id ? started : null)
        : null,
    [lesson, ownRuns, raceRuns, started],
  );

  return (
    <section className="lessons" aria-labelledby="lessons-heading" data-testid="lessons-panel">
      <h2 id="lessons-heading">Lessons</h2>
      <div className="lesson-pick">
        <label htmlFor="lesson-select">Lesson</label>
        <select
          id="lesson-select"
          data-testid="lesson-select"
          value={lesson?.id ?? ''}
          onChange={(e) => onSelect(e.target.value === '' ? null : e.target.value)}
        >
          <option value="">Choose a lesson…</option>
          {LESSONS.map((l) => (
            <option key={l.id} value={l.id}>
              {l.section} {l.title}
            </option>
          ))}
        </select>
      </div>
      {!lesson || !plan ? (
        <p className="muted small">
          Each lesson races the paper’s idea on and off, side by side on this GPU with the same seed
          and data, sized to a time budget, then sets what the race measured beside what the paper
          reports.
        </p>
      ) : (
        <article className="lesson" aria-labelledby="lesson-title">
          <h3 id="lesson-title">
            {lesson.section} {lesson.title}
          </h3>
          <p>{lesson.text}</p>
          <h4>What to look for</h4>
          <p>{lesson.lookFor}</p>
          <p className="small">
            <strong>Decided by:</strong> {lesson.decidedBy}.
          </p>
          <h4>Racers</h4>
          <ol className="small">
            {plan.racers.map((r) => (
              <li key={r.label}>{r.label}</li>
            ))}
          </ol>
          {plan.mode === 'one-by-one' && (
            <p className="small">
              These racers train one after another, not as a race: racers that take turns end
              together, so only runs of their own measure their own time per epoch.
            </p>
          )}
          {plan.teacher && (
            <p className="small">
              First, {plan.teacher.label} trains alone; the distilled racer learns from it.
            </p>
          )}
          {lesson.notes.length > 0 && (
            <ul className="small muted">
              {lesson.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {lesson.needsFp16 && (
            <p className="small muted">This lesson needs a backend that trains in FP16 (WebGPU).</p>
          )}
          <div className="lesson-budget">
            <label htmlFor="lesson-budget">Time budget (minutes)</label>
            <input
              id="lesson-budget"
              type="number"
              inputMode="decimal"
              min={MIN_MINUTES}
              max={MAX_MINUTES}
              step={0.5}
              value={budgetText}
              aria-invalid={budgetInvalid ? true : undefined}
              aria-describedby={budgetInvalid ? 'lesson-budget-error' : 'lesson-sizing'}
              onChange={(e) => {
                setBudgetText(e.target.value);
                const m = parseMinutes(e.target.value);
                if (m !== null) setMinutes(m);
              }}
              onBlur={() => setBudgetText(String(minutes))}
            />
            {budgetInvalid && (
              <span className="field-error" id="lesson-budget-error">
                Time budget must be {MIN_MINUTES} to {MAX_MINUTES} minutes
              </span>
            )}
          </div>
          <p id="lesson-sizing" data-testid="lesson-sizing" aria-live="polite">
            {plan.sizing}
          </p>
          <button
            type="button"
            className="button-primary"
            data-testid="lesson-start"
            disabled={disabled || plan.memoryProblem !== null}
            aria-describedby="lesson-sizing"
            onClick={() => {
              setStarted(plan);
              onStart(plan);
            }}
          >
            Start lesson
          </button>
          {outcome && <Outcome lesson={lesson} outcome={outcome} />}
        </article>
      )}
    </section>
  );
}
