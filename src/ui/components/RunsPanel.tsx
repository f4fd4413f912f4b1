import { useRef, useState } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import { formatPercent } from '../format';
import { summarizeConfig } from '../runs';

export interface RunsPanelProps {
  runs: SavedRun[];
  shownId: string | null;
  compareIds: ReadonlySet<string>;
  colors: ReadonlyMap<string, string>;
  /** Ids of runs that are training now (not deletable). */
  activeId: string | null;
  onShow: (id: string) => void;
  onToggleCompare: (id: string, on: boolean) => void;
  onRename: (id: string, name: string) => void;
  onDelete: (id: string) => void;
  onShare: (run: SavedRun) => void;
  onDownloadModel: (run: SavedRun) => void;
  onExport: (runs: SavedRun[]) => void;
  onImport: (file: File) => void;
  /** Resumes an interrupted (or failed) run from its stored checkpoint; null = not now. */
  onResume: ((run: SavedRun) => void) | null;
  message: { text: string; error: boolean } | null;
}

/** A run cut off by a reload (or failed) whose checkpoint is stored can continue. */
export function resumable(run: SavedRun): boolean {
  return (run.status === 'interrupted' || run.status === 'failed') && !!run.checkpoint;
}

/** Every saved run: compare (overlay + table), show, rename, share, download, delete. */
export function RunsPanel(props: RunsPanelProps) {
  const { runs, shownId, compareIds, colors } = props;
  const fileRef = useRef<HTMLInputElement>(null);
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const selected = runs.filter((r) => compareIds.has(r.id));
  return (
    <section className="run-list" aria-labelledby="runs-heading">
      <div className="run-list-head">
        <h2 id="runs-heading">Runs</h2>
        <div className="toolbar">
          <button
            type="button"
            disabled={runs.length === 0}
            onClick={() => props.onExport(selected.length > 0 ? selected : runs)}
          >
            {selected.length > 0
              ? `Export ${selected.length} compared as JSON`
              : 'Export all as JSON'}
          </button>
          <button type="button" onClick={() => fileRef.current?.click()}>
            Import JSON…
          </button>
          <input
            ref={fileRef}
            type="file"
            accept="application/json,.json"
            aria-label="Import runs from a JSON file"
            hidden
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) props.onImport(file);
              e.target.value = '';
            }}
          />
        </div>
      </div>
      <p className="muted small">
        Saved in this browser. Tick <em>Compare</em> to overlay runs on every chart and table them
        below.
      </p>
      {props.message && (
        <p
          className={props.message.error ? 'notice notice-error' : 'notice'}
          role={props.message.error ? 'alert' : 'status'}
          data-testid="runs-message"
        >
          {props.message.text}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Compare</th>
                <th scope="col">Run</th>
                <th scope="col">Name</th>
                <th scope="col">Model and tricks</th>
                <th scope="col">Status</th>
                <th scope="col">Final top-1</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const color = colors.get(r.id);
                return (
                  <tr
                    key={r.id}
                    className={r.id === shownId ? 'selected' : undefined}
                    data-run={r.id}
                    data-status={r.status}
                  >
                    <td>
                      <input
                        type="checkbox"
                        checked={compareIds.has(r.id)}
                        aria-label={`Compare ${r.id}`}
                        onChange={(e) => props.onToggleCompare(r.id, e.target.checked)}
                      />
                      {color && (
                        <span className="swatch" style={{ background: color }} aria-hidden="true" />
                      )}
                    </td>
                    <td>{r.id}</td>
                    <td>
                      {editing?.id === r.id ? (
                        <form
                          className="rename"
                          onSubmit={(e) => {
                            e.preventDefault();
                            props.onRename(r.id, editing.text);
                            setEditing(null);
                          }}
                        >
                          <input
                            aria-label={`New name for ${r.id}`}
                            value={editing.text}
                            maxLength={200}
                            autoFocus
                            onChange={(e) => setEditing({ id: r.id, text: e.target.value })}
                            onKeyDown={(e) => {
                              if (e.key === 'Escape') setEditing(null);
                            }}
                          />
                          <button type="submit">Save</button>
                        </form>
                      ) : (
                        <span data-testid="run-name">{r.name}</span>
                      )}
                      {r.origin !== 'local' && <span className="badge">{r.origin}</span>}
                    </td>
                    <td className="small">{summarizeConfig(r.config)}</td>
                    <td data-testid="run-status">
                      {r.status}
                      {resumable(r) && (
                        <button
                          type="button"
                          className="button-primary button-small"
                          aria-label={`Resume ${r.id} from its checkpoint of step ${r.checkpoint!.step}`}
                          title={
                            props.onResume
                              ? `Continue from the checkpoint of step ${r.checkpoint!.step} (epoch ${r.checkpoint!.epoch})`
                              : 'Wait for the run in progress to end'
                          }
                          disabled={!props.onResume}
                          onClick={() => props.onResume?.(r)}
                        >
                          Resume
                        </button>
                      )}
                    </td>
                    <td className="num">{formatPercent(r.final?.top1 ?? null)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="button-quiet"
                        onClick={() => props.onShow(r.id)}
                        aria-pressed={r.id === shownId}
                        aria-label={`Show ${r.id} in the charts`}
                      >
                        {r.id === shownId ? 'Shown' : 'Show'}
                      </button>
                      <button
                        type="button"
                        className="button-quiet"
                        aria-label={`Rename ${r.id}`}
                        onClick={() => setEditing({ id: r.id, text: r.name })}
                      >
                        Rename
                      </button>
                      <button
                        type="button"
                        className="button-quiet"
                        aria-label={`Share results of ${r.id}`}
                        disabled={r.points.length === 0}
                        onClick={() => props.onShare(r)}
                      >
                        Share
                      </button>
                      <button
                        type="button"
                        className="button-quiet"
                        aria-label={`Download model ${r.id} (TensorFlow.js)`}
                        disabled={!r.hasWeights}
                        title={
                          r.hasWeights
                            ? undefined
                            : 'Only finished runs of this browser have weights'
                        }
                        onClick={() => props.onDownloadModel(r)}
                      >
                        Model
                      </button>
                      <button
                        type="button"
                        className="button-quiet danger"
                        aria-label={`Delete ${r.id}`}
                        disabled={r.id === props.activeId}
                        onClick={() => {
                          if (window.confirm(`Delete run ${r.id} (${r.name})?`))
                            props.onDelete(r.id);
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
