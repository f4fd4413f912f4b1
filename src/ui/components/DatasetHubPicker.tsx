import type { ExperimentConfig } from '../../config';
import { HUB_CATALOG, HUB_KINDS, isHubId } from '../../data/hub/catalog';
import { DATASET_TITLES } from '../../data/load';

/**
 * One click downloads a dataset from the Hugging Face Hub: the catalog's, or (with Dataset set
 * to hub) the id typed in "Hugging Face dataset id". Nothing contacts the Hub before a click.
 */
export function DatasetHubPicker({
  config,
  busy,
  onLoad,
}: {
  config: Pick<ExperimentConfig, 'hub'>;
  busy: boolean;
  onLoad: (dataset: ExperimentConfig['dataset'], id: string) => void;
}) {
  const idReady = isHubId(config.hub);
  return (
    <div className="hub-picker" role="group" aria-labelledby="hub-picker-title">
      <span id="hub-picker-title">Download from the Hugging Face Hub</span>
      <div className="button-row">
        {HUB_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            disabled={busy}
            title={HUB_CATALOG[kind].id}
            aria-label={`${DATASET_TITLES[kind]} from the Hugging Face Hub`}
            onClick={() => onLoad(kind, '')}
          >
            {DATASET_TITLES[kind]}
          </button>
        ))}
        <button
          type="button"
          disabled={busy || !idReady}
          aria-label={`Hugging Face dataset ${idReady ? config.hub : 'id'} from the Hub`}
          onClick={() => onLoad('hub', config.hub)}
        >
          {idReady ? config.hub : 'Dataset id (enter it above)'}
        </button>
      </div>
    </div>
  );
}
