import { useState, type DragEvent } from 'react';
import { droppedFiles, pickedFiles, type PickedFiles } from '../dropped-files';

/** Files or a folder, dropped or chosen; nothing is taken while a dataset loads (`busy`). */
export function DatasetDropZone({
  busy,
  onFiles,
}: {
  busy: boolean;
  onFiles: (picked: PickedFiles) => void;
}) {
  const [dragging, setDragging] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (busy) return;
    void droppedFiles(event.dataTransfer).then(onFiles);
  };

  return (
    <div
      className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="drop-zone"
    >
      <span>Drop dataset files or a folder here, or</span>
      <div className="button-row">
        <label className="file-button">
          Choose files…
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-label="Choose dataset files"
            disabled={busy}
            onChange={(e) => {
              if (e.target.files) onFiles(pickedFiles(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
        <label className="file-button">
          Choose folder…
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-label="Choose a dataset folder"
            disabled={busy}
            ref={(el) => el?.setAttribute('webkitdirectory', '')}
            onChange={(e) => {
              if (e.target.files) onFiles(pickedFiles(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
      </div>
    </div>
  );
}
