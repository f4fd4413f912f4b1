import { useCallback } from 'react';
import type { ExperimentConfig } from '../../config';
import { useOnceWhenReady } from './useWhenReady';

/** autorun=1 in the link: one run of the settings starts as soon as a run can start. */
export function useAutorun(
  config: ExperimentConfig,
  canStart: boolean,
  problems: string[],
  startRun: (config: ExperimentConfig) => unknown,
): void {
  const autorun = useCallback(() => {
    if (problems.length === 0) startRun(config);
  }, [config, problems, startRun]);
  useOnceWhenReady(canStart && config.autorun, autorun);
}
