import type * as Comlink from 'comlink';
import { useCallback, useState } from 'react';
import { resnetOptionsFromConfig } from '../../architecture/resnet-spec';
import { toQuery } from '../../config';
import { encodeResults } from '../../experiments/result-link';
import { admitImported, exportRuns, parseRunFile } from '../../experiments/run-file';
import type { SavedRun } from '../../experiments/saved-run';
import { buildTfjsArtifacts } from '../../experiments/tfjs-export';
import { loadWeights } from '../../storage/run-store';
import type { RunsMessage } from '../components/RunsPanel';
import { downloadFile } from '../download';
import type { RunRecord } from '../runs';
import type { SavedRuns } from './useSavedRuns';
import { errorMessage } from '../../errors';
import type { TrainerWorkerApi } from '../../worker/protocol';

export interface RunActions {
  /** Copies a link that shows the run's results (and holds its settings) without training. */
  share: (run: SavedRun) => Promise<void>;
  /** The last link made by `share`, shown for copying by hand. */
  shareLink: string | null;
  /** Downloads a finished run's trained model as TensorFlow.js files. */
  downloadModel: (run: SavedRun) => Promise<void>;
  /** Downloads a finished run as a checkpoint timm loads (model.safetensors and three more). */
  downloadTimm: (run: SavedRun) => Promise<void>;
  /** Adds the runs of an exported JSON file, renumbering ids already in use. */
  importFile: (file: File) => Promise<void>;
  exportFile: (runs: SavedRun[]) => void;
}

/** A finished run's stored weights; null, said in `say`, when none are stored. */
async function storedWeights(run: SavedRun, say: (message: RunsMessage) => void) {
  const weights = await loadWeights(run.id);
  if (!weights) say({ text: `No weights are stored for ${run.id}.`, error: true });
  return weights;
}

/** What the Runs list does to saved runs besides showing them; each result is said in `say`. */
export function useRunActions(
  saved: Pick<SavedRuns, 'runs' | 'add'>,
  sessionRuns: RunRecord[],
  say: (message: RunsMessage) => void,
  api: Comlink.Remote<TrainerWorkerApi> | null,
): RunActions {
  const [shareLink, setShareLink] = useState<string | null>(null);

  const share = useCallback(
    async (run: SavedRun) => {
      try {
        const encoded = encodeResults(run);
        const url = `${window.location.origin}${window.location.pathname}?${toQuery({ ...run.config, autorun: false })}#results=${encoded}`;
        setShareLink(url);
        await navigator.clipboard.writeText(url).then(
          () =>
            say({
              text: `Link to the results of ${run.id} copied (${url.length} characters).`,
              error: false,
            }),
          () => say({ text: `Copy the link to the results of ${run.id} below.`, error: false }),
        );
      } catch (err) {
        say({ text: errorMessage(err), error: true });
      }
    },
    [say],
  );

  const downloadModel = useCallback(
    async (run: SavedRun) => {
      try {
        const weights = await storedWeights(run, say);
        if (!weights) return;
        const binName = `${run.id}-weights.bin`;
        const { modelJson, weightsBin } = buildTfjsArtifacts(run.config, weights, run.id, binName);
        downloadFile(`${run.id}-model.json`, modelJson, 'application/json');
        downloadFile(binName, weightsBin as Uint8Array<ArrayBuffer>, 'application/octet-stream');
      } catch (err) {
        say({ text: `Model download failed: ${String(err)}`, error: true });
      }
    },
    [say],
  );

  const downloadTimm = useCallback(
    async (run: SavedRun) => {
      try {
        const weights = await storedWeights(run, say);
        if (!weights) return;
        if (!api) throw new Error('the training worker is not ready');
        // The sample's logits come from the engine, on the run's own validation images.
        // Loaded on first use: the timm export is not part of the page's initial bundle.
        const [{ buildTimmExport }, { default: loadTimmScript }] = await Promise.all([
          import('../../timm/export'),
          import('../../timm/load_timm.py?raw'),
        ]);
        const sample = await api.timmSample(run.config, weights);
        const classes = sample.logits.length / sample.count;
        const files = buildTimmExport({
          options: resnetOptionsFromConfig(run.config, classes),
          weights,
          steps: run.final?.steps ?? 0,
          sample,
          loadScript: loadTimmScript,
          source: {
            app: 'Tricks Playground',
            query: toQuery({ ...run.config, autorun: false }),
            run: run.id,
          },
        });
        for (const f of files) downloadFile(f.name, f.bytes as Uint8Array<ArrayBuffer>, f.type);
        say({
          text: `${run.id} downloaded for timm: ${files.map((f) => f.name).join(', ')}. Run python3 load_timm.py in their folder to check them.`,
          error: false,
        });
      } catch (err) {
        say({ text: `Download for timm failed: ${errorMessage(err)}`, error: true });
      }
    },
    [api, say],
  );

  const importFile = useCallback(
    async (file: File) => {
      const result = parseRunFile(await file.text());
      if (!result.ok) {
        say({ text: `${file.name}: ${result.message}`, error: true });
        return;
      }
      const admitted = admitImported(result.runs, [
        ...saved.runs.map((r) => r.id),
        ...sessionRuns.map((r) => r.id),
      ]);
      saved.add(admitted);
      say({
        text: `Imported ${admitted.length} run${admitted.length === 1 ? '' : 's'} from ${file.name}: ${admitted.map((r) => r.id).join(', ')}.`,
        error: false,
      });
    },
    [saved, sessionRuns, say],
  );

  const exportFile = useCallback(
    (runs: SavedRun[]) =>
      downloadFile('tricks-playground-runs.json', exportRuns(runs), 'application/json'),
    [],
  );

  return { share, shareLink, downloadModel, downloadTimm, importFile, exportFile };
}
