import { formatDelta, formatInterval, type AblationTable } from '../../experiments/ablation-table';
import type { Racer } from '../../experiments/race';
import { formatDuration, formatNumber, formatPercent, formatSegmentationScores } from '../format';
import type { RunRecord } from '../runs';
import { CopyLinkButton } from './CopyLinkButton';

export interface RacePanelProps {
  /** The racers a link or the last race set; null when none. */
  racers: Racer[] | null;
  /** The live runs of the current (or last) race, in racer order. */
  runs: RunRecord[];
  /** Line colour of each run on the charts. */
  colors: ReadonlyMap<string, string>;
  /** Seeds: the race runs `repeats` times, seed by seed; `seedsDone` of them started. */
  repeats: number;
  seedsDone: number;
  /** A refusal or problem to show; null when none. */
  message: string | null;
  /** The compared runs' configurations can race (2–4 of them). */
  comparedCount: number;
  canStart: boolean;
  onStart: () => void;
  onRaceCompared: () => void;
  /** The race's link (the page's settings plus `race=`). */
  link: () => string;
  /** The comparison of the race's runs (all seeds so far): the first racer is the baseline. */
  table: AblationTable | null;
}

/**
 * The Race section: what is raced, each racer's progress (step, images/s, top-1) and the race's
 * ETA, the start button for a race from a link, and the race of the compared runs.
 */
export function RacePanel(props: RacePanelProps) {
  const { racers, runs, colors, message } = props;
  const running = runs.some((r) => ['preparing', 'warmup', 'training', 'paused'].includes(r.phase));
  const eta = Math.max(0, ...runs.map((r) => (r.progress ? r.progress.etaSeconds : 0)));
  return (
    <section className="race-panel" aria-labelledby="race-heading" data-testid="race-panel">
      <h2 id="race-heading">Race</h2>
      <p className="muted">
        Trains 2–4 settings at once on this GPU, one step each in turn, with the same seed, data
        order and augmentation: only the settings raced differ. Start one with “Race with / without”
        next to a trick, or race the compared runs. Pause, Step, Resume and Stop act on the whole
        race; each racer is saved as a run.
      </p>
      {racers && (
        <ol className="racers" aria-label="Racers">
          {racers.map((r, i) => (
            <li key={i} data-testid="racer">
              {r.label}
            </li>
          ))}
        </ol>
      )}
      {message && (
        <p className="notice notice-error" role="alert" data-testid="race-message">
          {message}
        </p>
      )}
      <div className="race-actions">
        {racers && !running && (
          <button type="button" onClick={props.onStart} disabled={!props.canStart}>
            Start race
          </button>
        )}
        <button
          type="button"
          onClick={props.onRaceCompared}
          disabled={!props.canStart || props.comparedCount < 2 || props.comparedCount > 4}
          title="The runs ticked for comparison under Runs: 2 to 4 of them"
        >
          Race the compared runs ({props.comparedCount})
        </button>
        {racers && <CopyLinkButton label="Copy race link" link={props.link} />}
      </div>
      {!running && props.table && props.table.rows.length >= 2 && (
        <RaceResult table={props.table} />
      )}
      {runs.length > 0 && (
        <table className="race-progress" data-testid="race-progress">
          <caption>
            {props.repeats > 1 ? `Seed ${props.seedsDone} of ${props.repeats}. ` : ''}
            {running ? `Race ETA ${formatDuration(eta)}.` : 'Race over.'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Racer</th>
              <th scope="col">Phase</th>
              <th scope="col">Step</th>
              <th scope="col">Images/s</th>
              <th scope="col">Top-1</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run, i) => (
              <tr key={run.id} data-testid="racer-progress" data-phase={run.phase}>
                <th scope="row">
                  <span
                    className="swatch"
                    style={{ background: colors.get(run.id) ?? 'transparent' }}
                    aria-hidden="true"
                  />
                  {run.id}: {racers?.[i]?.label ?? run.summary}
                </th>
                <td>{run.phase}</td>
                <td data-testid="racer-step">
                  {run.progress ? `${run.progress.step} / ${run.progress.totalSteps}` : '—'}
                </td>
                <td>
                  {run.progress && run.progress.imagesPerSecond > 0
                    ? formatNumber(run.progress.imagesPerSecond, 3)
                    : '—'}
                </td>
                <td>
                  {run.config.task === 'segment'
                    ? formatSegmentationScores(run.evals.at(-1))
                    : formatPercent(run.evals.at(-1)?.top1 ?? null)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * Each racer against the first, as the comparison table computes it: the paired Δ top-1 over the
 * seeds both finished, and whether its 95% interval contains 0 ("within noise").
 */
function RaceResult({ table }: { table: AblationTable }) {
  const [first, ...others] = table.rows;
  return (
    <div className="race-result" data-testid="race-result">
      <p>
        Result against <strong>{first!.label}</strong> (top-1 {first!.top1.mean?.toFixed(2) ?? '—'}
        %), details in the comparison table:
      </p>
      <ul>
        {others.map((row) => (
          <li key={row.runId}>
            {row.label}: Δ top-1 {formatDelta(row.dTop1?.value ?? null, 2) || '—'} points
            {row.dTop1 ? ` ${formatInterval(row.dTop1, 2)}` : ''} ({row.seeds.length}{' '}
            {row.seeds.length === 1 ? 'seed' : 'seeds'})
          </li>
        ))}
      </ul>
    </div>
  );
}
