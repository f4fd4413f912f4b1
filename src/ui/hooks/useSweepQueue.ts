import { useCallback, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import type { SweepTag } from '../../experiments/saved-run';
import { SWEEPS, type SweepTable } from '../../experiments/sweeps';
import type { SweepState } from '../components/SweepControls';
import { useWhenReady } from './useWhenReady';

export interface SweepQueue {
  sweep: SweepState | null;
  /** Queues the table's rows at the current settings; the comparison starts empty. */
  startSweep: (table: SweepTable) => void;
  cancelSweep: () => void;
}

/**
 * The paper's tables as a queue of runs: each row starts once the worker is idle (`canStart`),
 * with the run of an earlier row as its distillation teacher where the row names one. The runs of
 * the table's rows are compared.
 */
export function useSweepQueue(
  config: ExperimentConfig,
  canStart: boolean,
  startRun: (config: ExperimentConfig, tag: SweepTag) => string | null,
  selection: { setCompared: (id: string, on: boolean) => void; clearCompared: () => void },
): SweepQueue {
  const [sweep, setSweep] = useState<SweepState | null>(null);
  const { setCompared, clearCompared } = selection;

  const startNextRow = useCallback(() => {
    if (!sweep) return;
    if (sweep.next >= sweep.plan.steps.length) {
      setSweep(null);
      return;
    }
    const step = sweep.plan.steps[sweep.next]!;
    const teacherId = step.teacherStep === undefined ? undefined : sweep.ids[step.teacherStep];
    const runConfig = teacherId ? { ...step.config, distill: teacherId } : step.config;
    const id = startRun(runConfig, { table: sweep.plan.table, row: sweep.next, label: step.label });
    if (!id) return;
    if (step.inTable) setCompared(id, true);
    setSweep({ ...sweep, next: sweep.next + 1, ids: [...sweep.ids, id] });
  }, [sweep, startRun, setCompared]);
  useWhenReady(sweep !== null && canStart, startNextRow);

  const startSweep = useCallback(
    (table: SweepTable) => {
      clearCompared();
      setSweep({ plan: SWEEPS[table](config), next: 0, ids: [] });
    },
    [config, clearCompared],
  );
  const cancelSweep = useCallback(() => setSweep(null), []);

  return { sweep, startSweep, cancelSweep };
}
