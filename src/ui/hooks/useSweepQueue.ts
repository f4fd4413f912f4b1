import { useCallback, useState } from 'react';
import type { ExperimentConfig } from '../../config';
import type { SweepTag } from '../../experiments/saved-run';
import {
  repeatsPlan,
  sweepPlan,
  type SweepOptions,
  type SweepPlan,
  type SweepTable,
} from '../../experiments/sweeps';
import type { SweepState } from '../components/SweepControls';
import { useWhenReady } from './useWhenReady';

export interface SweepQueue {
  sweep: SweepState | null;
  /** Queues the table's rows (× repeats) at the current settings; the comparison starts empty. */
  startSweep: (table: SweepTable) => void;
  /** Queues the current settings `repeats` times, seed by seed, and compares them. */
  startRepeats: (config: ExperimentConfig) => void;
  /** Queues any plan's runs (a lesson's one-by-one runs), like a table's rows. */
  startPlan: (plan: SweepPlan) => void;
  cancelSweep: () => void;
  /** Mixup rows train 200/120 as long (§5.5). */
  longMixup: boolean;
  setLongMixup: (on: boolean) => void;
  /** Every repeat distills from repeat 0's teachers (the paper's one pretrained teacher). */
  sharedTeachers: boolean;
  setSharedTeachers: (on: boolean) => void;
}

/**
 * The paper's tables as a queue of runs: each row starts once the worker is idle (`canStart`),
 * with the run of an earlier row (of the same repeat) as its distillation teacher, or as its
 * backbone (Table 9), where the row names one. The runs of the table's rows are compared. `fp16`: the backend can train in FP16.
 * `trainCount`: the loaded dataset's training images (null: the synthetic `train_size`), which
 * caps Table 4's large batch.
 */
export function useSweepQueue(
  config: ExperimentConfig,
  canStart: boolean,
  fp16: boolean,
  trainCount: number | null,
  startRun: (config: ExperimentConfig, tag?: SweepTag) => string | null,
  selection: { setCompared: (id: string, on: boolean) => void; clearCompared: () => void },
): SweepQueue {
  const [sweep, setSweep] = useState<SweepState | null>(null);
  const [longMixup, setLongMixup] = useState(true);
  const [sharedTeachers, setSharedTeachers] = useState(false);
  const { setCompared, clearCompared } = selection;

  const startNextRow = useCallback(() => {
    if (!sweep) return;
    if (sweep.next >= sweep.plan.steps.length) {
      setSweep(null);
      return;
    }
    const { plan } = sweep;
    const step = plan.steps[sweep.next]!;
    const teacherId = step.teacherStep === undefined ? undefined : sweep.ids[step.teacherStep];
    const backboneId = step.backboneStep === undefined ? undefined : sweep.ids[step.backboneStep];
    const runConfig = {
      ...step.config,
      ...(teacherId ? { distill: teacherId } : {}),
      ...(backboneId ? { backbone: backboneId } : {}),
    };
    // Repeats of one setting are grouped by their settings, a table's rows by their tag.
    const tag = plan.table
      ? { table: plan.table, row: sweep.next, label: step.label, repeat: step.repeat }
      : undefined;
    const id = startRun(runConfig, tag);
    if (!id) return;
    if (step.inTable) setCompared(id, true);
    setSweep({ ...sweep, next: sweep.next + 1, ids: [...sweep.ids, id] });
  }, [sweep, startRun, setCompared]);
  useWhenReady(sweep !== null && canStart, startNextRow);

  const queue = useCallback((plan: SweepPlan) => setSweep({ plan, next: 0, ids: [] }), []);
  const startSweep = useCallback(
    (table: SweepTable) => {
      const options: SweepOptions = { longMixup, fp16, sharedTeachers, trainCount };
      clearCompared();
      queue(sweepPlan(table, config, options));
    },
    [config, longMixup, fp16, sharedTeachers, trainCount, clearCompared, queue],
  );
  const startRepeats = useCallback((c: ExperimentConfig) => queue(repeatsPlan(c)), [queue]);
  const cancelSweep = useCallback(() => setSweep(null), []);

  return {
    sweep,
    startSweep,
    startRepeats,
    startPlan: queue,
    cancelSweep,
    longMixup,
    setLongMixup,
    sharedTeachers,
    setSharedTeachers,
  };
}
