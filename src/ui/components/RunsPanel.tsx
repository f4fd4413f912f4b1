import { useState } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import { RunFileButtons } from './RunFileButtons';
import { RunRow, type RunRowProps } from './RunRow';

/** A line for the user about what the last action on runs did. */
export interface RunsMessage {
  text: string;
  error: boolean;
}

type RowHandlers = Pick<
  RunRowProps,
  | 'onShow'
  | 'onToggleCompare'
  | 'onRename'
  | 'onDelete'
  | 'onShare'
  | 'onDownloadModel'
  | 'onDownloadTimm'
  | 'onResume'
>;

export interface RunsPanelProps extends RowHandlers {
  runs: SavedRun[];
  shownId: string | null;
  compareIds: ReadonlySet<string>;
  colors: ReadonlyMap<string, string>;
  /** Id of the run that is training now (not deletable). */
  activeId: string | null;
  onExport: (runs: SavedRun[]) => void;
  onImport: (file: File) => void;
  onLoadCheckpoint: ((files: File[]) => void) | null;
  message: RunsMessage | null;
}

/** Every saved run: compare (overlay + table), show, rename, share, download, delete. */
export function RunsPanel({
  runs,
  shownId,
  compareIds,
  colors,
  activeId,
  ...props
}: RunsPanelProps) {
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  return (
    <section className="run-list" aria-labelledby="runs-heading">
      <div className="run-list-head">
        <h2 id="runs-heading">Runs</h2>
        <RunFileButtons
          runs={runs}
          compared={runs.filter((r) => compareIds.has(r.id))}
          onExport={props.onExport}
          onImport={props.onImport}
          onLoadCheckpoint={props.onLoadCheckpoint}
        />
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
              {runs.map((r) => (
                <RunRow
                  key={r.id}
                  run={r}
                  shown={r.id === shownId}
                  compared={compareIds.has(r.id)}
                  color={colors.get(r.id)}
                  active={r.id === activeId}
                  draftName={editing?.id === r.id ? editing.text : null}
                  onDraftName={(text) => setEditing(text === null ? null : { id: r.id, text })}
                  onShow={props.onShow}
                  onToggleCompare={props.onToggleCompare}
                  onRename={props.onRename}
                  onDelete={props.onDelete}
                  onShare={props.onShare}
                  onDownloadModel={props.onDownloadModel}
                  onDownloadTimm={props.onDownloadTimm}
                  onResume={props.onResume}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
