/** "Load checkpoint": a timm export's files, or its folder (see README, Checkpoints for PyTorch). */
export function LoadCheckpointButtons({
  disabled,
  onFiles,
}: {
  disabled: boolean;
  onFiles: (files: File[]) => void;
}) {
  const pick = (list: FileList | null) => {
    if (list && list.length > 0) onFiles([...list]);
  };
  return (
    <>
      <label className="file-button">
        Load checkpoint…
        <input
          type="file"
          multiple
          accept=".json,.safetensors,application/json"
          className="visually-hidden"
          aria-label="Load checkpoint: model.json and model.safetensors"
          disabled={disabled}
          onChange={(e) => {
            pick(e.target.files);
            e.target.value = '';
          }}
        />
      </label>
      <label className="file-button">
        Load checkpoint folder…
        <input
          type="file"
          multiple
          className="visually-hidden"
          aria-label="Load checkpoint folder"
          disabled={disabled}
          ref={(el) => el?.setAttribute('webkitdirectory', '')}
          onChange={(e) => {
            pick(e.target.files);
            e.target.value = '';
          }}
        />
      </label>
    </>
  );
}
