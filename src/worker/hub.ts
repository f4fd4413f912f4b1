import { DEFAULT_MEMORY_LIMIT } from '../data/memory';
import { hubSourceFor, isHubKind } from '../data/hub/catalog';
import { downloadHubFiles, fetchHubPlan, type HubClient } from '../data/hub/client';
import { loadHubParquet } from '../data/hub/load';
import { DATASET_TITLES, type LoadedDataset } from '../data/load';
import { browserDecoder } from './image-decoder';
import type { DatasetEvent, DatasetLoadRequest } from './protocol';

/**
 * A Hugging Face Hub dataset in the worker: list its Parquet files, download them (progress in
 * bytes), decode the images with the browser's decoders (progress in images). Nothing here runs
 * unless the user asked for a Hub dataset (a click, or a link with source=hub or dataset=hub).
 */
export async function loadFromHub(
  request: Extract<DatasetLoadRequest, { kind: 'hub' }>,
  inputSize: number,
  onEvent: (event: DatasetEvent) => void,
  signal: AbortSignal,
): Promise<LoadedDataset & { hubId: string }> {
  const source = hubSourceFor(request.dataset, request.id);
  const client: HubClient = {
    fetch: (input, init) => fetch(input, init),
    hubUrl: request.hubUrl,
    byteLimit: DEFAULT_MEMORY_LIMIT,
    signal,
    onProgress: (progress) => onEvent({ type: 'progress', progress }),
  };
  onEvent({
    type: 'progress',
    progress: {
      stage: 'download',
      done: 0,
      total: 0,
      message: `Asking the Hugging Face Hub for ${source.id}`,
    },
  });
  const plan = await fetchHubPlan(source, client);
  const files = await downloadHubFiles(source, plan, client);
  const kind = isHubKind(request.dataset) ? request.dataset : null;
  const loaded = await loadHubParquet(files, {
    kind,
    title: kind ? DATASET_TITLES[kind] : source.id,
    source,
    inputSize,
    decoder: browserDecoder,
    memoryLimit: DEFAULT_MEMORY_LIMIT,
    signal,
    onProgress: client.onProgress,
    onEstimate: (estimate) => onEvent({ type: 'estimate', estimate }),
  });
  if (plan.ignoredSplits.length > 0) {
    loaded.warnings.push(
      `Splits not used: ${plan.ignoredSplits.join(', ')} (config ${plan.config}).`,
    );
  }
  return { kind: kind ?? 'hub', ...loaded, hubId: source.id };
}
