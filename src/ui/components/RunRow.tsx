import { resumable, type SavedRun } from '../../experiments/saved-run';
import { formatPercent, formatSegmentationScores } from '../format';
import { summarizeConfig } from '../runs';
import { RunActionButtons, type RunActionHandlers } from './RunActionButtons';

export interface RunRowProps extends Omit<RunActionHandlers, 'onRename'> {
  run: SavedRun;
  shown: boolean;
  compared: boolean;
  /** Its line colour on the charts, when compared. */
  color: string | undefined;
  /** Training now (not deletable). */
  active: boolean;
  /** The new name being typed, or null when the name is not being edited. */
  draftName: string | null;
  onDraftName: (text: string | null) => void;
  onToggleCompare: (id: string, on: boolean) => void;
  onRename: (id: string, name: string) => void;
  /** Resumes an interrupted (or failed) run from its stored checkpoint; null = not now. */
  onResume: ((run: SavedRun) => void) | null;
}

/** One saved run in the runs table. */
export function RunRow({ run, shown, compared, color, draftName, ...props }: RunRowProps) {
  return (
    <tr className={shown ? 'selected' : undefined} data-run={run.id} data-status={run.status}>
      <td>
        <input
          type="checkbox"
          checked={compared}
          aria-label={`Compare ${run.id}`}
          onChange={(e) => props.onToggleCompare(run.id, e.target.checked)}
        />
        {color && <span className="swatch" style={{ background: color }} aria-hidden="true" />}
      </td>
      <td>{run.id}</td>
      <td>
        {draftName !== null ? (
          <form
            className="rename"
            onSubmit={(e) => {
              e.preventDefault();
              props.onRename(run.id, draftName);
              props.onDraftName(null);
            }}
          >
            <input
              aria-label={`New name for ${run.id}`}
              value={draftName}
              maxLength={200}
              autoFocus
              onChange={(e) => props.onDraftName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') props.onDraftName(null);
              }}
            />
            <button type="submit">Save</button>
          </form>
        ) : (
          <span data-testid="run-name">{run.name}</span>
        )}
        {run.origin !== 'local' && <span className="badge">{run.origin}</span>}
      </td>
      <td className="small">{summarizeConfig(run.config)}</td>
      <td data-testid="run-status">
        {run.status}
        {resumable(run) && <ResumeButton run={run} onResume={props.onResume} />}
      </td>
      <td className="num" data-testid="run-accuracy">
        {run.config.task === 'segment'
          ? formatSegmentationScores(run.evals.at(-1))
          : formatPercent(run.final?.top1 ?? null)}
      </td>
      <RunActionButtons
        run={run}
        shown={shown}
        active={props.active}
        onShow={props.onShow}
        onRename={(r) => props.onDraftName(r.name)}
        onShare={props.onShare}
        onDownloadModel={props.onDownloadModel}
        onDownloadTimm={props.onDownloadTimm}
        onDelete={props.onDelete}
      />
    </tr>
  );
}

function ResumeButton({ run, onResume }: Pick<RunRowProps, 'run' | 'onResume'>) {
  const checkpoint = run.checkpoint!;
  return (
    <button
      type="button"
      className="button-primary button-small"
      aria-label={`Resume ${run.id} from its checkpoint of step ${checkpoint.step}`}
      title={
        onResume
          ? `Continue from the checkpoint of step ${checkpoint.step} (epoch ${checkpoint.epoch})`
          : 'Wait for the run in progress to end'
      }
      disabled={!onResume}
      onClick={() => onResume?.(run)}
    >
      Resume
    </button>
  );
}
