import { formatBytes } from '../../data/memory';
import type { DatasetSummary } from '../../worker/protocol';

/** Remarks listed at most (a folder of thousands of unreadable files lists the first ones). */
const MAX_WARNINGS = 50;

/** The loaded dataset: classes, images, size, source, and the files it skipped. */
export function LoadedDatasetSummary({ dataset }: { dataset: DatasetSummary }) {
  const { warnings } = dataset;
  return (
    <div className="dataset-summary" data-testid="dataset-summary">
      <strong>
        {dataset.name}: {dataset.classNames.length} classes,{' '}
        {dataset.trainCount.toLocaleString('en-US')} training /{' '}
        {dataset.valCount.toLocaleString('en-US')} validation images
      </strong>
      <div>
        {dataset.width}×{dataset.height} px, {formatBytes(dataset.bytes)} in memory, from{' '}
        {dataset.source}
        {dataset.validation === 'held-out' &&
          '; no validation files, so 10% of each class is held out (fixed seed)'}
      </div>
      {warnings.length > 0 && (
        <details>
          <summary>
            {warnings.length} remark{warnings.length > 1 ? 's' : ''} (skipped files)
          </summary>
          <ul>
            {warnings.slice(0, MAX_WARNINGS).map((w) => (
              <li key={w}>{w}</li>
            ))}
            {warnings.length > MAX_WARNINGS && <li>… {warnings.length - MAX_WARNINGS} more</li>}
          </ul>
        </details>
      )}
    </div>
  );
}
