import type * as Comlink from 'comlink';
import { useEffect, useState } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import type { TrainerWorkerApi, ValidationImages } from '../../worker/protocol';
import { errorMessage } from '../../errors';

/**
 * The pixels of some validation images of a run's dataset, asked from the worker once per
 * evaluation (`key`): they are not stored with the run. Null until they arrive.
 */
export function useValidationImages(
  api: Comlink.Remote<TrainerWorkerApi> | null,
  run: SavedRun | null,
  indices: number[] | null,
  key: string,
): { images: ValidationImages | null; error: string | null } {
  const [fetched, setFetched] = useState<{ key: string; images: ValidationImages } | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The run's settings, not the run: a training run changes with every step, and each change would
  // ask the worker again before its answer arrives.
  const config = run?.config ?? null;
  useEffect(() => {
    if (!api || !config || !indices || fetched?.key === key) return;
    let cancelled = false;
    api
      .validationImages(config, indices)
      .then((loaded) => {
        if (!cancelled) {
          setFetched({ key, images: loaded });
          setError(null);
        }
      })
      .catch((err: unknown) => {
        if (!cancelled) {
          setError(`The validation images are not available: ${errorMessage(err)}`);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, config, indices, key, fetched?.key]);

  return { images: fetched?.key === key ? fetched.images : null, error };
}
