import { useCallback } from 'react';
import { decodeResults, resultsFromHash, runFromPayload } from '../../experiments/result-link';
import { nextRunId } from '../../experiments/saved-run';
import type { RunsMessage } from '../components/RunsPanel';
import type { SavedRuns } from './useSavedRuns';
import { useOnceWhenReady } from './useWhenReady';

/**
 * A link ending in #results=… shows the sender's run without training: it is added to the saved
 * runs (once their ids are known, so that it gets a free one) and shown.
 */
export function useSharedResults(
  saved: Pick<SavedRuns, 'loaded' | 'runs' | 'add'>,
  show: (id: string) => void,
  say: (message: RunsMessage) => void,
): void {
  const { loaded, runs, add } = saved;
  const showSharedRun = useCallback(() => {
    const encoded = resultsFromHash(window.location.hash);
    if (encoded === null) return;
    const decoded = decodeResults(encoded);
    if (!decoded.ok) {
      say({ text: decoded.message, error: true });
      return;
    }
    const id = nextRunId(runs.map((r) => r.id));
    const { run, ignored: notes } = runFromPayload(decoded.payload, id, Date.now());
    add([run]);
    show(id);
    say({
      text:
        `Showing shared results “${run.name}” as ${id} (not trained here).` +
        (notes.length > 0 ? ` Settings not usable here: ${notes.join('; ')}.` : ''),
      error: false,
    });
    // Reloading must not add the run again.
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}`,
    );
  }, [runs, add, show, say]);
  useOnceWhenReady(loaded, showSharedRun);
}
