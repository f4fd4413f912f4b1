import { useEffect, useMemo, useRef } from 'react';
import {
  classCount,
  enforceConsistency,
  PARAMS,
  type ExperimentConfig,
  type ParamKey,
} from '../config';
import { AccuracyChart } from './charts/AccuracyChart';
import { LogitGapChart } from './charts/LogitGapChart';
import { LossChart } from './charts/LossChart';
import { LossScaleChart } from './charts/LossScaleChart';
import { LrChart } from './charts/LrChart';
import { ArchitectureSummary } from './components/ArchitectureSummary';
import { BackendBanner } from './components/BackendBanner';
import { CopyLinkButton } from './components/CopyLinkButton';
import { ErrorBoundary } from './components/ErrorBoundary';
import { IgnoredNotice } from './components/IgnoredNotice';
import { ProgressPanel } from './components/ProgressPanel';
import { RunControls } from './components/RunControls';
import { RunList } from './components/RunList';
import { TrickPanel } from './components/TrickPanel';
import { useExperimentConfig } from './hooks/useExperimentConfig';
import { useTrainer } from './hooks/useTrainer';
import { formatPercent } from './format';

/** Settings that cannot be trained together, in words (the URL codec resets them on load). */
function problemsOf(config: ExperimentConfig): string[] {
  return enforceConsistency(config).ignored.map(
    (p) => `${PARAMS[p.key as ParamKey]?.label ?? p.key} ${p.value} ${p.reason}.`,
  );
}

export function App() {
  const { config, ignored, setParam } = useExperimentConfig();
  const trainer = useTrainer();
  const { active, selected, runs, start } = trainer;
  const problems = useMemo(() => problemsOf(config), [config]);

  const teachers = useMemo(
    () =>
      runs
        .filter((r) => r.phase === 'finished')
        .map((r) => ({
          runId: r.id,
          label: `${r.id}: ${r.summary} (top-1 ${formatPercent(r.finalTop1 ?? r.evals.at(-1)?.top1)})`,
        })),
    [runs],
  );

  // autorun=1: start one run as soon as the backend is ready.
  const autorunDone = useRef(false);
  const backendReady = trainer.backend !== null;
  useEffect(() => {
    if (!backendReady || autorunDone.current || !config.autorun) return;
    autorunDone.current = true;
    if (problems.length === 0) start(config);
  }, [backendReady, config, problems, start]);

  const shown = selected;
  const liveStep = active ? (active.progress?.step ?? 0) : null;

  return (
    <div className="app">
      <header className="app-header">
        <div className="title">
          <h1>Tricks Playground</h1>
          <p className="tagline">
            Train a ResNet in your browser and watch what each trick of{' '}
            <a href="https://arxiv.org/abs/1812.01187" target="_blank" rel="noreferrer noopener">
              “Bag of Tricks for Image Classification” (He et al., 2019)
            </a>{' '}
            does.
          </p>
        </div>
        <CopyLinkButton />
      </header>
      <BackendBanner backend={trainer.backend} error={trainer.workerError} />
      <IgnoredNotice ignored={ignored} />
      {trainer.workerError && trainer.backend && (
        <div className="notice notice-error" role="alert">
          {trainer.workerError}
        </div>
      )}
      <main className="layout">
        <aside className="settings" aria-label="Settings">
          <ErrorBoundary name="settings">
            <TrickPanel
              config={config}
              setParam={setParam}
              locked={!!active}
              teachers={teachers}
              backend={trainer.backend}
              extras={{
                model: (
                  <ErrorBoundary name="architecture summary">
                    <ArchitectureSummary config={config} />
                  </ErrorBoundary>
                ),
              }}
            />
          </ErrorBoundary>
        </aside>
        <div className="results">
          <section className="run-panel" aria-label="Training">
            <ErrorBoundary name="run controls">
              <RunControls
                active={active}
                problems={problems}
                unavailable={!!trainer.workerError && !trainer.backend}
                onTrain={() => start(config)}
                onPause={trainer.pause}
                onResume={trainer.resume}
                onStep={trainer.step}
                onStop={trainer.stop}
              />
              <ProgressPanel run={shown} />
              <RunList runs={runs} selectedId={shown?.id ?? null} onSelect={trainer.select} />
            </ErrorBoundary>
          </section>
          <div className="charts">
            <ErrorBoundary name="learning rate chart">
              <LrChart config={config} currentStep={liveStep} />
            </ErrorBoundary>
            <ErrorBoundary name="loss chart">
              <LossChart points={shown?.points ?? []} />
            </ErrorBoundary>
            {shown?.config.fp16 && (
              <ErrorBoundary name="loss scale chart">
                <LossScaleChart points={shown.points} />
              </ErrorBoundary>
            )}
            <ErrorBoundary name="accuracy chart">
              <AccuracyChart evals={shown?.evals ?? []} />
            </ErrorBoundary>
            <ErrorBoundary name="logit gap chart">
              <LogitGapChart
                evals={shown?.evals ?? []}
                classes={classCount(shown?.config ?? config)}
                epsilon={(shown?.config ?? config).label_smoothing}
              />
            </ErrorBoundary>
          </div>
        </div>
      </main>
      <footer className="app-footer">
        Settings live in the page address: share it to share the experiment. Charts show the run
        selected in the run list.
      </footer>
    </div>
  );
}
