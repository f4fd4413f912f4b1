import type { SavedRun } from '../../experiments/saved-run';

export interface RunActionHandlers {
  onShow: (id: string) => void;
  onRename: (run: SavedRun) => void;
  onShare: (run: SavedRun) => void;
  onDownloadModel: (run: SavedRun) => void;
  onDownloadTimm: (run: SavedRun) => void;
  onDelete: (id: string) => void;
}

/** The last cell of a run's row: Show, Rename, Share, Model, timm, Delete. */
export function RunActionButtons({
  run,
  shown,
  active,
  ...on
}: RunActionHandlers & { run: SavedRun; shown: boolean; active: boolean }) {
  return (
    <td className="actions">
      <button
        type="button"
        className="button-quiet"
        onClick={() => on.onShow(run.id)}
        aria-pressed={shown}
        aria-label={`Show ${run.id} in the charts`}
      >
        {shown ? 'Shown' : 'Show'}
      </button>
      <button
        type="button"
        className="button-quiet"
        aria-label={`Rename ${run.id}`}
        onClick={() => on.onRename(run)}
      >
        Rename
      </button>
      <button
        type="button"
        className="button-quiet"
        aria-label={`Share results of ${run.id}`}
        disabled={run.points.length === 0}
        onClick={() => on.onShare(run)}
      >
        Share
      </button>
      <button
        type="button"
        className="button-quiet"
        aria-label={`Download model ${run.id} (TensorFlow.js)`}
        disabled={!run.hasWeights}
        title={run.hasWeights ? undefined : 'Only finished runs of this browser have weights'}
        onClick={() => on.onDownloadModel(run)}
      >
        Model
      </button>
      <button
        type="button"
        className="button-quiet"
        aria-label={`Download ${run.id} for PyTorch (timm)`}
        disabled={!run.hasWeights}
        title={
          run.hasWeights
            ? 'model.safetensors, model.json, sample.safetensors and load_timm.py'
            : 'Only finished runs of this browser have weights'
        }
        onClick={() => on.onDownloadTimm(run)}
      >
        timm
      </button>
      <button
        type="button"
        className="button-quiet danger"
        aria-label={`Delete ${run.id}`}
        disabled={active}
        onClick={() => {
          if (window.confirm(`Delete run ${run.id} (${run.name})?`)) on.onDelete(run.id);
        }}
      >
        Delete
      </button>
    </td>
  );
}
