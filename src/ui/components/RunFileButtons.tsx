import { useRef } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import { LoadCheckpointButtons } from './LoadCheckpointButtons';

/** Export the compared runs (or all) as a JSON file; import such a file; load a checkpoint. */
export function RunFileButtons({
  runs,
  compared,
  onExport,
  onImport,
  onLoadCheckpoint,
}: {
  runs: SavedRun[];
  compared: SavedRun[];
  onExport: (runs: SavedRun[]) => void;
  onImport: (file: File) => void;
  /** Null while a checkpoint cannot be loaded (a run in progress). */
  onLoadCheckpoint: ((files: File[]) => void) | null;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <div className="toolbar">
      <button
        type="button"
        disabled={runs.length === 0}
        onClick={() => onExport(compared.length > 0 ? compared : runs)}
      >
        {compared.length > 0 ? `Export ${compared.length} compared as JSON` : 'Export all as JSON'}
      </button>
      <button type="button" onClick={() => fileRef.current?.click()}>
        Import JSON…
      </button>
      <LoadCheckpointButtons
        disabled={!onLoadCheckpoint}
        onFiles={(files) => onLoadCheckpoint?.(files)}
      />
      <input
        ref={fileRef}
        type="file"
        accept="application/json,.json"
        aria-label="Import runs from a JSON file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onImport(file);
          e.target.value = '';
        }}
      />
    </div>
  );
}
