import type { ExperimentConfig } from '../../config';
import { isSameDataset } from '../../data/hub/catalog';
import { DATASET_TITLES } from '../../data/load';
import type { DatasetController } from '../hooks/useDataset';
import { DatasetCacheList } from './DatasetCacheList';
import { DatasetDropZone } from './DatasetDropZone';
import { DatasetHubPicker } from './DatasetHubPicker';
import { DatasetLoadingStatus } from './DatasetLoadingStatus';
import { DatasetUrlField } from './DatasetUrlField';
import { LoadedDatasetSummary } from './LoadedDatasetSummary';

const HINTS: Record<ExperimentConfig['dataset'], string> = {
  synthetic: 'The built-in shapes need no files. Drop or choose files to train on your own data.',
  cifar10: 'cifar-10-binary.tar.gz as downloaded, or its .bin batch files.',
  cifar100: 'cifar-100-binary.tar.gz as downloaded, or train.bin and test.bin.',
  mnist:
    'The four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…), gzipped or not.',
  'fashion-mnist': 'The four Fashion-MNIST IDX files, gzipped or not.',
  imagenette: 'imagenette2-160.tgz as downloaded (one folder of JPEGs per class), or the Hub.',
  folder:
    'A folder with one sub-folder of JPEG/PNG/WebP images per class (and optionally train/ and val/), or its .tar.gz.',
  hub: 'Any Hugging Face dataset with one image column and one class-label column: enter its id.',
};

/** Loading a dataset from files, a folder, a URL or the Hub; the browser cache with sizes. */
export function DatasetPanel({
  config,
  controller,
}: {
  config: ExperimentConfig;
  controller: DatasetController;
}) {
  const { loaded, loading, error, notice, cache } = controller;
  const current = loaded && isSameDataset(loaded, config) ? loaded : null;
  const busy = loading !== null;

  return (
    <section className="dataset-panel" aria-label="Dataset files">
      <p className="param-help">{HINTS[config.dataset]}</p>
      <DatasetDropZone busy={busy} onFiles={controller.loadFiles} />
      <DatasetUrlField busy={busy} onUrl={controller.loadUrl} />
      <DatasetHubPicker config={config} busy={busy} onLoad={controller.loadHub} />
      {loading && <DatasetLoadingStatus loading={loading} onCancel={controller.cancel} />}
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
        <LoadedDatasetSummary dataset={current} />
      ) : (
        config.dataset !== 'synthetic' &&
        !loading && (
          <p className="param-note">
            No{' '}
            {config.dataset === 'hub'
              ? config.hub || 'Hub dataset'
              : DATASET_TITLES[config.dataset]}{' '}
            loaded yet.
          </p>
        )
      )}
      <DatasetCacheList cache={cache} onRemove={controller.removeCached} />
    </section>
  );
}
