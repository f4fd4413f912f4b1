import type { SavedRun } from '../../experiments/saved-run';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { RunsPanel, type RunsMessage } from '../components/RunsPanel';
import { ShareLinkField } from '../components/ShareLinkField';
import type { RunActions } from '../hooks/useRunActions';
import type { RunSelection } from '../hooks/useRunSelection';
import type { SavedRuns } from '../hooks/useSavedRuns';

export interface RunsSectionProps {
  saved: Pick<SavedRuns, 'runs' | 'rename' | 'remove'>;
  selection: RunSelection;
  actions: RunActions;
  /** The run training now (not deletable). */
  activeId: string | null;
  /** Null while a run cannot start. */
  onResume: ((run: SavedRun) => void) | null;
  message: RunsMessage | null;
  /** Null while a checkpoint cannot be loaded. */
  onLoadCheckpoint: ((files: File[]) => void) | null;
}

/** The saved runs with what can be done to them, and the last link made by Share. */
export function RunsSection({ saved, selection, actions, ...props }: RunsSectionProps) {
  return (
    <ErrorBoundary name="runs">
      <RunsPanel
        runs={saved.runs}
        shownId={selection.shownId}
        compareIds={selection.compareIds}
        colors={selection.colors}
        activeId={props.activeId}
        onShow={selection.show}
        onToggleCompare={selection.setCompared}
        onRename={saved.rename}
        onDelete={(id) => {
          saved.remove(id);
          selection.forget(id);
        }}
        onShare={(run) => void actions.share(run)}
        onDownloadModel={(run) => void actions.downloadModel(run)}
        onDownloadTimm={(run) => void actions.downloadTimm(run)}
        onExport={actions.exportFile}
        onImport={(file) => void actions.importFile(file)}
        onLoadCheckpoint={props.onLoadCheckpoint}
        onResume={props.onResume}
        message={props.message}
      />
      {actions.shareLink && <ShareLinkField link={actions.shareLink} />}
    </ErrorBoundary>
  );
}
