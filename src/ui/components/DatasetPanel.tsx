import { useState, type DragEvent } from 'react';
import type { ExperimentConfig } from '../../config';
import { DATASET_TITLES } from '../../data/load';
import { formatBytes } from '../../data/memory';
import { droppedFiles, pickedFiles } from '../dropped-files';
import type { DatasetController } from '../hooks/useDataset';

const HINTS: Record<ExperimentConfig['dataset'], string> = {
  synthetic: 'The built-in shapes need no files. Drop or choose files to train on your own data.',
  cifar10: 'cifar-10-binary.tar.gz as downloaded, or its .bin batch files.',
  cifar100: 'cifar-100-binary.tar.gz as downloaded, or train.bin and test.bin.',
  mnist:
    'The four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…), gzipped or not.',
  'fashion-mnist': 'The four Fashion-MNIST IDX files, gzipped or not.',
  folder:
    'A folder with one sub-folder of JPEG/PNG/WebP images per class (and optionally train/ and val/), or its .tar.gz.',
};

function percent(done: number, total: number): string {
  return total > 0 ? ` ${Math.floor((100 * done) / total)}%` : '';
}

/** Loading a dataset from files, a folder or a URL; the browser cache with sizes. */
export function DatasetPanel({
  config,
  controller,
}: {
  config: ExperimentConfig;
  controller: DatasetController;
}) {
  const { loaded, loading, error, notice, cache } = controller;
  const [url, setUrl] = useState('');
  const [dragging, setDragging] = useState(false);
  const current = loaded && loaded.kind === config.dataset ? loaded : null;
  const busy = loading !== null;

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (busy) return;
    void droppedFiles(event.dataTransfer).then(controller.loadFiles);
  };

  return (
    <section className="dataset-panel" aria-label="Dataset files">
      <p className="param-help">{HINTS[config.dataset]}</p>
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
                if (e.target.files) controller.loadFiles(pickedFiles(e.target.files));
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
                if (e.target.files) controller.loadFiles(pickedFiles(e.target.files));
                e.target.value = '';
              }}
            />
          </label>
        </div>
      </div>
      <div className="url-row">
        <label htmlFor="dataset-url">Download from a URL</label>
        <div className="button-row">
          <input
            id="dataset-url"
            type="url"
            placeholder="https://…/cifar-10-binary.tar.gz"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                if (url.trim()) controller.loadUrl(url);
              }
            }}
          />
          <button
            type="button"
            disabled={busy || !url.trim()}
            onClick={() => controller.loadUrl(url)}
          >
            Download
          </button>
        </div>
      </div>
      {loading && (
        <div className="dataset-loading" role="status" aria-live="polite">
          <div>
            Loading {loading.what}…
            {loading.progress && (
              <>
                {' '}
                {loading.progress.message}
                {percent(loading.progress.done, loading.progress.total)}
              </>
            )}
          </div>
          <progress
            aria-label="Dataset loading progress"
            max={loading.progress?.total || 1}
            value={loading.progress?.total ? loading.progress.done : undefined}
          />
          {loading.estimate && (
            <div data-testid="memory-estimate">
              Memory: {formatBytes(loading.estimate.keptBytes)} for{' '}
              {loading.estimate.images.toLocaleString('en-US')} images (up to{' '}
              {formatBytes(loading.estimate.peakBytes)} while loading)
            </div>
          )}
          <button type="button" onClick={controller.cancel}>
            Cancel loading
          </button>
        </div>
      )}
      {error && (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
          {loaded && (
            <p>
              {loaded.name} ({DATASET_TITLES[loaded.kind]}) is still loaded and usable.
            </p>
          )}
        </div>
      )}
      {notice && <p role="status">{notice}</p>}
      {current ? (
        <div className="dataset-summary" data-testid="dataset-summary">
          <strong>
            {current.name}: {current.classNames.length} classes,{' '}
            {current.trainCount.toLocaleString('en-US')} training /{' '}
            {current.valCount.toLocaleString('en-US')} validation images
          </strong>
          <div>
            {current.width}×{current.height} px, {formatBytes(current.bytes)} in memory, from{' '}
            {current.source}
            {current.validation === 'held-out' &&
              '; no validation files, so 10% of each class is held out (fixed seed)'}
          </div>
          {current.warnings.length > 0 && (
            <details>
              <summary>
                {current.warnings.length} remark{current.warnings.length > 1 ? 's' : ''} (skipped
                files)
              </summary>
              <ul>
                {current.warnings.slice(0, 50).map((w) => (
                  <li key={w}>{w}</li>
                ))}
                {current.warnings.length > 50 && <li>… {current.warnings.length - 50} more</li>}
              </ul>
            </details>
          )}
        </div>
      ) : (
        config.dataset !== 'synthetic' &&
        !loading && <p className="param-note">No {DATASET_TITLES[config.dataset]} loaded yet.</p>
      )}
      {cache.length > 0 && (
        <div className="dataset-cache">
          <div>Cached in this browser:</div>
          <ul>
            {cache.map((entry) => (
              <li key={entry.kind}>
                <span>
                  {entry.summary.name} ({DATASET_TITLES[entry.kind]}),{' '}
                  {formatBytes(entry.summary.bytes)}
                </span>
                <button
                  type="button"
                  className="button-quiet"
                  aria-label={`Remove ${entry.summary.name} from the browser cache`}
                  onClick={() => controller.removeCached(entry.kind)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
