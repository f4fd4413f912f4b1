import { formatDuration, formatNumber } from '../format';
import type { RunRecord } from '../runs';

const PHASE_TEXT: Record<RunRecord['phase'], string> = {
  idle: 'idle',
  preparing: 'preparing',
  warmup: 'shader warm-up',
  training: 'training',
  paused: 'paused',
  finished: 'finished',
  stopped: 'stopped',
  failed: 'failed',
};

/** Phase, status line and timing of one run. */
export function ProgressPanel({ run }: { run: RunRecord | null }) {
  if (!run) {
    return (
      <section className="progress" aria-label="Progress">
        <p className="muted">No run yet. Choose tricks on the left and press Train.</p>
      </section>
    );
  }
  const p = run.progress;
  const showStatus = run.phase === 'preparing' || run.phase === 'warmup';
  return (
    <section className="progress" aria-label="Progress" data-testid="progress">
      <p className="progress-head">
        <span>
          Run <strong>{run.id}</strong>
        </span>
        <span className={`phase phase-${run.phase}`} data-testid="run-phase" data-phase={run.phase}>
          {PHASE_TEXT[run.phase]}
        </span>
      </p>
      {showStatus && (
        <p className="status-line" role="status">
          {run.status}
          {run.statusFraction !== null && (
            <progress max={1} value={run.statusFraction} aria-label="Preparation progress" />
          )}
        </p>
      )}
      {run.error && (
        <div className="notice notice-error" role="alert">
          Run {run.id} failed: {run.error}
          {run.phase === 'failed' &&
            run.checkpoint &&
            ` Its Resume button under Runs continues from the checkpoint of step ${run.checkpoint.step}.`}
        </div>
      )}
      {run.divergences.length > 0 && (
        <div className="notice notice-warning" role="status" data-testid="divergence">
          {run.divergences.map((d, i) => (
            <p key={i}>
              <strong>Diverged at step {d.step}</strong> (
              {d.validation ? 'validation loss' : 'loss'} {d.loss}): {d.cause}. The model went back
              to its checkpoint of step {d.restoredStep}
              {run.phase === 'paused' && i === run.divergences.length - 1
                ? ': Resume continues from there, Stop ends the run.'
                : '.'}
            </p>
          ))}
        </div>
      )}
      {run.notices.length > 0 && (
        <div className="notice" role="status" data-testid="run-notices">
          {run.notices.map((n, i) => (
            <p key={i}>{n}</p>
          ))}
        </div>
      )}
      <dl className="stats" data-checkpoint-step={run.checkpoint?.step ?? ''}>
        <div>
          <dt>Epoch</dt>
          <dd data-testid="epoch">{p ? `${p.epoch} / ${p.epochs}` : '—'}</dd>
        </div>
        <div>
          <dt>Step</dt>
          <dd data-testid="step">{p ? `${p.step} / ${p.totalSteps}` : '—'}</dd>
        </div>
        <div>
          <dt>Images/s</dt>
          <dd data-testid="images-per-second">
            {p && p.imagesPerSecond > 0 ? formatNumber(p.imagesPerSecond, 3) : '—'}
          </dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd data-testid="eta">
            {p && p.etaSeconds > 0 && (run.phase === 'training' || run.phase === 'paused')
              ? formatDuration(p.etaSeconds)
              : '—'}
          </dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd data-testid="elapsed">{p ? formatDuration(p.elapsedSeconds) : '—'}</dd>
        </div>
        <div>
          <dt>Shader warm-up</dt>
          <dd data-testid="warmup-time">
            {run.warmupMs !== null ? formatDuration(run.warmupMs / 1000) : '—'}
          </dd>
        </div>
      </dl>
      {p && (
        <progress
          className="run-progress"
          max={Math.max(1, p.totalSteps)}
          value={p.step}
          aria-label="Training progress"
        />
      )}
    </section>
  );
}
