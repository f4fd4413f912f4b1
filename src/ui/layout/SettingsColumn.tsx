import { useMemo, useState } from 'react';
import type { ExperimentConfig, ParamKey } from '../../config';
import type { Preset } from '../../config/presets';
import type { BackendInfo } from '../../run/events';
import { ArchitectureSummary } from '../components/ArchitectureSummary';
import { DatasetPanel } from '../components/DatasetPanel';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { PresetBar } from '../components/PresetBar';
import type { TeacherOption } from '../components/TeacherSelect';
import { TrickPanel, type TrickPanelProps } from '../components/TrickPanel';
import { formatPercent } from '../format';
import type { DatasetController } from '../hooks/useDataset';
import type { RunRecord } from '../runs';

export interface SettingsColumnProps {
  config: ExperimentConfig;
  setParam: (key: ParamKey, value: ExperimentConfig[ParamKey]) => void;
  onPreset: (preset: Preset) => void;
  /** A run is active: its settings are locked. */
  locked: boolean;
  /** This session's runs: the finished ones can teach (distillation). */
  sessionRuns: RunRecord[];
  /** Checkpoints loaded in this session: they can teach too. */
  loadedTeachers: TeacherOption[];
  backend: BackendInfo | null;
  dataset: DatasetController;
  /** "Race with / without" a trick (TrickPanel). */
  onRace: TrickPanelProps['onRace'];
  canRace: boolean;
}

/** Presets and every parameter; in presentation mode folded away behind a button. */
export function SettingsColumn(props: SettingsColumnProps) {
  const [open, setOpen] = useState(false);
  if (!props.config.present) {
    return (
      <aside className="settings" aria-label="Settings">
        <Settings {...props} />
      </aside>
    );
  }
  return (
    <aside className="settings settings-collapsed" aria-label="Settings">
      <button type="button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
        {open ? 'Hide settings' : 'Show settings'}
      </button>
      {open && <Settings {...props} />}
    </aside>
  );
}

function Settings({
  config,
  setParam,
  onPreset,
  locked,
  sessionRuns,
  loadedTeachers,
  backend,
  dataset,
  onRace,
  canRace,
}: SettingsColumnProps) {
  const teachers: TeacherOption[] = useMemo(
    () =>
      sessionRuns
        .filter((r) => r.phase === 'finished')
        .map((r) => ({
          runId: r.id,
          label: `${r.id}: ${r.summary} (top-1 ${formatPercent(r.finalTop1 ?? r.evals.at(-1)?.top1)})`,
        }))
        .concat(loadedTeachers),
    [sessionRuns, loadedTeachers],
  );
  return (
    <ErrorBoundary name="settings">
      <PresetBar onApply={onPreset} disabled={locked} />
      <TrickPanel
        config={config}
        setParam={setParam}
        locked={locked}
        teachers={teachers}
        backend={backend}
        onRace={onRace}
        canRace={canRace}
        extras={{
          model: (
            <ErrorBoundary name="architecture summary">
              <ArchitectureSummary config={config} />
            </ErrorBoundary>
          ),
          data: (
            <ErrorBoundary name="dataset loader">
              <DatasetPanel config={config} controller={dataset} />
            </ErrorBoundary>
          ),
        }}
      />
    </ErrorBoundary>
  );
}
