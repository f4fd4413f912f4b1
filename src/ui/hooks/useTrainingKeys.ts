import { useCallback, useMemo, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import { useShortcuts } from './useShortcuts';
import type { Trainer } from './trainer-types';
import { useWhenReady } from './useWhenReady';

/**
 * The keyboard shortcuts of training: Space trains, pauses or resumes, S steps while paused, R
 * stops the run and trains the same settings again from fresh weights once the worker is idle; N
 * and P step through the lessons.
 */
export function useTrainingKeys(
  trainer: Pick<Trainer, 'active' | 'pause' | 'resume' | 'step' | 'stop'>,
  config: ExperimentConfig,
  canStart: boolean,
  problems: string[],
  startRun: (config: ExperimentConfig) => unknown,
  /** N and P: the next or previous lesson. */
  lesson?: (delta: number) => void,
): void {
  const { active } = trainer;
  const [restartPending, setRestartPending] = useState(false);
  const restart = useCallback(() => {
    setRestartPending(false);
    if (problems.length === 0) startRun(config);
  }, [problems, config, startRun]);
  useWhenReady(restartPending && canStart, restart);

  const shortcuts = useMemo(
    () => ({
      playPause: () => {
        if (!active) {
          if (canStart && problems.length === 0) startRun(config);
        } else if (active.phase === 'paused') trainer.resume();
        else trainer.pause();
      },
      step: () => {
        if (active?.phase === 'paused') trainer.step();
      },
      reset: () => {
        if (active) trainer.stop();
        setRestartPending(true);
      },
      ...(lesson ? { lesson } : {}),
    }),
    [active, canStart, problems, config, startRun, trainer, lesson],
  );
  useShortcuts(shortcuts);
}
