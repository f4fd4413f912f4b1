import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  classCount,
  enforceConsistency,
  PARAM_KEYS,
  PARAMS,
  toQuery,
  type ExperimentConfig,
  type ParamKey,
} from '../config';
import { applyPreset, type Preset } from '../config/presets';
import {
  decodeResults,
  encodeResults,
  resultsFromHash,
  runFromPayload,
} from '../experiments/result-link';
import { admitImported, exportRuns, parseRunFile } from '../experiments/run-file';
import { nextRunId, type SavedRun, type SweepTag } from '../experiments/saved-run';
import { SWEEPS, type SweepTable } from '../experiments/sweeps';
import { buildTfjsArtifacts } from '../experiments/tfjs-export';
import { DATASET_TITLES } from '../data/load';
import { AccuracyChart } from './charts/AccuracyChart';
import { CHART_HEIGHT, ChartHeightContext, PRESENTATION_CHART_HEIGHT } from './charts/ChartCard';
import { LogitGapChart } from './charts/LogitGapChart';
import { LossChart } from './charts/LossChart';
import { LossScaleChart } from './charts/LossScaleChart';
import { LrChart } from './charts/LrChart';
import { overlayColor, type OverlaySeries } from './charts/overlays';
import { ArchitectureSummary } from './components/ArchitectureSummary';
import { AugmentationPreview } from './components/AugmentationPreview';
import { BackendBanner } from './components/BackendBanner';
import { BenchmarkPanel } from './components/BenchmarkPanel';
import { CompareTable } from './components/CompareTable';
import { CopyLinkButton } from './components/CopyLinkButton';
import { DatasetPanel } from './components/DatasetPanel';
import { ErrorBoundary } from './components/ErrorBoundary';
import { IgnoredNotice } from './components/IgnoredNotice';
import { PresetBar } from './components/PresetBar';
import { PredictionsPanel } from './components/PredictionsPanel';
import { ProgressPanel } from './components/ProgressPanel';
import { RunControls } from './components/RunControls';
import { resumable, RunsPanel } from './components/RunsPanel';
import { ScaleRecipes } from './components/ScaleRecipes';
import { SweepControls, type SweepState } from './components/SweepControls';
import { TrickPanel } from './components/TrickPanel';
import { downloadFile } from './download';
import { useBenchmark } from './hooks/useBenchmark';
import { useDataset } from './hooks/useDataset';
import { useExperimentConfig } from './hooks/useExperimentConfig';
import { useSavedRuns } from './hooks/useSavedRuns';
import { SHORTCUTS, useShortcuts } from './hooks/useShortcuts';
import { useTrainer } from './hooks/useTrainer';
import { formatPercent } from './format';
import { bufferLimitProblem, trainingMemoryOf } from '../architecture';
import type { BackendInfo } from '../worker/protocol';
import { isActive } from './runs';
import { loadWeights } from './storage/run-store';

/**
 * Settings that cannot be trained, in words: inconsistent values (the URL codec resets them on
 * load), a dataset not loaded yet, and a network whose largest activation does not fit the GPU's
 * buffer limit.
 */
function problemsOf(
  config: ExperimentConfig,
  loadedClasses: number | null,
  backend: BackendInfo | null,
): string[] {
  const problems = enforceConsistency(config, loadedClasses).ignored.map(
    (p) => `${PARAMS[p.key as ParamKey]?.label ?? p.key} ${p.value} ${p.reason}.`,
  );
  if (config.dataset !== 'synthetic' && loadedClasses === null) {
    problems.push(`Load the ${DATASET_TITLES[config.dataset]} files in the Data section first.`);
  }
  const memory = trainingMemoryOf(config);
  const limit = memory && bufferLimitProblem(memory, backend?.maxStorageBufferBindingSize);
  if (limit) problems.push(limit);
  return problems;
}

type Message = { text: string; error: boolean } | null;

export function App() {
  const { config, ignored, setParam } = useExperimentConfig();
  const trainer = useTrainer();
  const saved = useSavedRuns(trainer);
  const { active, runs: sessionRuns, start, busy } = trainer;
  const dataset = useDataset(trainer.api, config, setParam);
  const benchmark = useBenchmark(trainer.api);
  const loadedClasses = dataset.classesFor(config);
  const problems = useMemo(
    () => problemsOf(config, loadedClasses, trainer.backend),
    [config, loadedClasses, trainer.backend],
  );
  // Steps per epoch follow the loaded dataset's size, not the synthetic train_size.
  const loadedTrainCount = loadedClasses !== null ? (dataset.loaded?.trainCount ?? null) : null;
  const scheduleConfig = useMemo(
    () => (loadedTrainCount === null ? config : { ...config, train_size: loadedTrainCount }),
    [config, loadedTrainCount],
  );
  const [shownId, setShownId] = useState<string | null>(null);
  const [compareIds, setCompareIds] = useState<ReadonlySet<string>>(new Set());
  const [sweep, setSweep] = useState<SweepState | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [shareLink, setShareLink] = useState<string | null>(null);
  const [showSettings, setShowSettings] = useState(false);

  const teachers = useMemo(
    () =>
      sessionRuns
        .filter((r) => r.phase === 'finished')
        .map((r) => ({
          runId: r.id,
          label: `${r.id}: ${r.summary} (top-1 ${formatPercent(r.finalTop1 ?? r.evals.at(-1)?.top1)})`,
        })),
    [sessionRuns],
  );

  const backendReady = trainer.backend !== null;
  const canStart = backendReady && saved.loaded && !busy && !active && !benchmark.running;

  const startRun = useCallback(
    (runConfig: ExperimentConfig, tag?: SweepTag): string | null => {
      const id = nextRunId([...saved.runs.map((r) => r.id), ...sessionRuns.map((r) => r.id)]);
      if (tag) saved.tag(id, tag);
      const started = start(runConfig, id);
      if (started) setShownId(started);
      return started;
    },
    [saved, sessionRuns, start],
  );

  // An interrupted run continues from the checkpoint the worker stored, with its curves so far.
  const resumeRun = useCallback(
    (run: SavedRun) => {
      const started = start(run.config, run.id, {
        points: run.points,
        evals: run.evals,
        divergences: run.divergences ?? [],
      });
      if (started) {
        setShownId(started);
        setMessage({
          text: `Resuming ${run.id} from its checkpoint of step ${run.checkpoint?.step ?? 0}.`,
          error: false,
        });
      }
    },
    [start],
  );

  // autorun=1: start one run as soon as the backend and the saved runs are ready.
  const autorunDone = useRef(false);
  useEffect(() => {
    if (!canStart || autorunDone.current || !config.autorun) return;
    const timer = setTimeout(() => {
      autorunDone.current = true;
      if (problems.length === 0) startRun(config);
    }, 0);
    return () => clearTimeout(timer);
  }, [canStart, config, problems, startRun]);

  // #results=… : show the sender's run without training (once the stored ids are known).
  const resultsDone = useRef(false);
  const { loaded: savedLoaded, runs: savedRuns, add: addRuns } = saved;
  useEffect(() => {
    if (!savedLoaded || resultsDone.current) return;
    const timer = setTimeout(() => {
      resultsDone.current = true;
      const encoded = resultsFromHash(window.location.hash);
      if (encoded === null) return;
      const decoded = decodeResults(encoded);
      if (!decoded.ok) {
        setMessage({ text: decoded.message, error: true });
        return;
      }
      const id = nextRunId(savedRuns.map((r) => r.id));
      const { run, ignored: notes } = runFromPayload(decoded.payload, id, Date.now());
      addRuns([run]);
      setShownId(id);
      setMessage({
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
    }, 0);
    return () => clearTimeout(timer);
  }, [savedLoaded, savedRuns, addRuns]);

  // Sweep queue: start the next step once the worker is idle. Deferred to a task and cancelled
  // when anything changes first, so a step never starts twice.
  useEffect(() => {
    if (!sweep || !canStart) return;
    const timer = setTimeout(() => {
      if (sweep.next >= sweep.plan.steps.length) {
        setSweep(null);
        return;
      }
      const step = sweep.plan.steps[sweep.next]!;
      const teacherId = step.teacherStep === undefined ? undefined : sweep.ids[step.teacherStep];
      const runConfig = teacherId ? { ...step.config, distill: teacherId } : step.config;
      const tag = { table: sweep.plan.table, row: sweep.next, label: step.label };
      const id = startRun(runConfig, tag);
      if (!id) return;
      if (step.inTable) setCompareIds((prev) => new Set([...prev, id]));
      setSweep({ ...sweep, next: sweep.next + 1, ids: [...sweep.ids, id] });
    }, 0);
    return () => clearTimeout(timer);
  }, [sweep, canStart, startRun]);

  // Reset (keyboard R): stop, then train the same settings again from fresh weights.
  const [restartPending, setRestartPending] = useState(false);
  useEffect(() => {
    if (!restartPending || !canStart) return;
    const timer = setTimeout(() => {
      setRestartPending(false);
      if (problems.length === 0) startRun(config);
    }, 0);
    return () => clearTimeout(timer);
  }, [restartPending, canStart, problems, config, startRun]);

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
    }),
    [active, canStart, problems, config, startRun, trainer],
  );
  useShortcuts(shortcuts);

  const shown = saved.runs.find((r) => r.id === shownId) ?? null;
  const interrupted = saved.runs.filter((r) => r.status === 'interrupted' && resumable(r));
  const shownSession = sessionRuns.find((r) => r.id === shownId) ?? null;
  const liveStep = active ? (active.progress?.step ?? 0) : null;
  const compared = useMemo(
    () => saved.runs.filter((r) => compareIds.has(r.id)),
    [saved.runs, compareIds],
  );
  const colors = useMemo(
    () => new Map(compared.map((r, i) => [r.id, overlayColor(i)] as const)),
    [compared],
  );
  const overlays: OverlaySeries[] = useMemo(
    () =>
      compared
        .filter((r) => r.id !== shownId)
        .map((r) => ({
          id: r.id,
          label: `${r.id}: ${r.name}`,
          color: colors.get(r.id)!,
          points: r.points,
          evals: r.evals,
        })),
    [compared, colors, shownId],
  );

  const applyPresetToConfig = (preset: Preset) => {
    const { config: next, ignored: reset } = applyPreset(config, preset);
    for (const key of PARAM_KEYS) if (next[key] !== config[key]) setParam(key, next[key]);
    setMessage({
      text:
        `Preset ${preset.section} ${preset.title} applied.` +
        (reset.length > 0
          ? ` Adjusted for this scale: ${reset.map((r) => `${r.key} ${r.reason}`).join('; ')}.`
          : ''),
      error: false,
    });
  };

  const share = async (run: SavedRun) => {
    try {
      const encoded = encodeResults(run);
      const url = `${window.location.origin}${window.location.pathname}?${toQuery({ ...run.config, autorun: false })}#results=${encoded}`;
      setShareLink(url);
      await navigator.clipboard.writeText(url).then(
        () =>
          setMessage({
            text: `Link to the results of ${run.id} copied (${url.length} characters).`,
            error: false,
          }),
        () =>
          setMessage({ text: `Copy the link to the results of ${run.id} below.`, error: false }),
      );
    } catch (err) {
      setMessage({ text: err instanceof Error ? err.message : String(err), error: true });
    }
  };

  const downloadModel = async (run: SavedRun) => {
    try {
      const weights = await loadWeights(run.id);
      if (!weights) {
        setMessage({ text: `No weights are stored for ${run.id}.`, error: true });
        return;
      }
      const binName = `${run.id}-weights.bin`;
      const { modelJson, weightsBin } = buildTfjsArtifacts(run.config, weights, run.id, binName);
      downloadFile(`${run.id}-model.json`, modelJson, 'application/json');
      downloadFile(binName, weightsBin as Uint8Array<ArrayBuffer>, 'application/octet-stream');
    } catch (err) {
      setMessage({ text: `Model download failed: ${String(err)}`, error: true });
    }
  };

  const importFile = async (file: File) => {
    const result = parseRunFile(await file.text());
    if (!result.ok) {
      setMessage({ text: `${file.name}: ${result.message}`, error: true });
      return;
    }
    const admitted = admitImported(result.runs, [
      ...saved.runs.map((r) => r.id),
      ...sessionRuns.map((r) => r.id),
    ]);
    saved.add(admitted);
    setMessage({
      text: `Imported ${admitted.length} run${admitted.length === 1 ? '' : 's'} from ${file.name}: ${admitted.map((r) => r.id).join(', ')}.`,
      error: false,
    });
  };

  const startSweep = (table: SweepTable) => {
    const plan = SWEEPS[table](config);
    setCompareIds(new Set());
    setSweep({ plan, next: 0, ids: [] });
  };

  const present = config.present;
  const settingsPanel = (
    <ErrorBoundary name="settings">
      <PresetBar onApply={applyPresetToConfig} disabled={!!active} />
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
          data: (
            <ErrorBoundary name="dataset loader">
              <DatasetPanel config={config} controller={dataset} />
            </ErrorBoundary>
          ),
        }}
      />
    </ErrorBoundary>
  );

  return (
    <div className={present ? 'app present' : 'app'}>
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
      {saved.storageError && (
        <div className="notice notice-error" role="alert">
          {saved.storageError}
        </div>
      )}
      <main className="layout">
        {present ? (
          <aside className="settings settings-collapsed" aria-label="Settings">
            <button
              type="button"
              aria-expanded={showSettings}
              onClick={() => setShowSettings((v) => !v)}
            >
              {showSettings ? 'Hide settings' : 'Show settings'}
            </button>
            {showSettings && settingsPanel}
          </aside>
        ) : (
          <aside className="settings" aria-label="Settings">
            {settingsPanel}
          </aside>
        )}
        <div className="results">
          <section className="run-panel" aria-label="Training">
            <ErrorBoundary name="run controls">
              <RunControls
                active={active}
                problems={problems}
                unavailable={
                  (!!trainer.workerError && !trainer.backend) ||
                  !saved.loaded ||
                  busy ||
                  benchmark.running
                }
                onTrain={() => startRun(config)}
                onPause={trainer.pause}
                onResume={trainer.resume}
                onStep={trainer.step}
                onStop={trainer.stop}
              />
              <p className="shortcuts small muted" aria-label="Keyboard shortcuts">
                Keys:{' '}
                {SHORTCUTS.map(([key, what], i) => (
                  <span key={key}>
                    {i > 0 && ' · '}
                    <kbd>{key}</kbd> {what}
                  </span>
                ))}
              </p>
              {benchmark.running && (
                <p className="notice small" role="status">
                  The benchmark is running (see Benchmark below); Train is available when it ends.
                </p>
              )}
              {interrupted.length > 0 && !active && (
                <p className="notice" role="status" data-testid="interrupted-notice">
                  {interrupted
                    .map(
                      (r) =>
                        `Run ${r.id} was cut off at step ${r.points.at(-1)?.step ?? 0} (the page was closed or reloaded); its checkpoint of step ${r.checkpoint!.step} is stored.`,
                    )
                    .join(' ')}{' '}
                  Press Resume in the Runs list to continue.
                </p>
              )}
              <ProgressPanel run={shownSession ?? (isActive(active) ? active : null)} />
            </ErrorBoundary>
          </section>
          <ErrorBoundary name="augmentation preview">
            <AugmentationPreview
              api={trainer.api}
              config={config}
              disabled={!!active || !trainer.backend || benchmark.running}
              datasetReady={config.dataset === 'synthetic' || loadedClasses !== null}
            />
          </ErrorBoundary>
          <ChartHeightContext.Provider value={present ? PRESENTATION_CHART_HEIGHT : CHART_HEIGHT}>
            <div className="charts">
              <ErrorBoundary name="learning rate chart">
                <LrChart config={scheduleConfig} currentStep={liveStep} overlays={overlays} />
              </ErrorBoundary>
              <ErrorBoundary name="loss chart">
                <LossChart
                  points={shown?.points ?? []}
                  overlays={overlays}
                  divergences={shown?.divergences ?? []}
                />
              </ErrorBoundary>
              {shown?.config.fp16 && (
                <ErrorBoundary name="loss scale chart">
                  <LossScaleChart points={shown.points} />
                </ErrorBoundary>
              )}
              <ErrorBoundary name="accuracy chart">
                <AccuracyChart evals={shown?.evals ?? []} overlays={overlays} />
              </ErrorBoundary>
              <ErrorBoundary name="logit gap chart">
                <LogitGapChart
                  evals={shown?.evals ?? []}
                  classes={classCount(
                    shown?.config ?? config,
                    dataset.classesFor(shown?.config ?? config),
                  )}
                  epsilon={(shown?.config ?? config).label_smoothing}
                  overlays={overlays}
                />
              </ErrorBoundary>
            </div>
          </ChartHeightContext.Provider>
          <ErrorBoundary name="predictions">
            <PredictionsPanel run={shown} api={trainer.api} />
          </ErrorBoundary>
          <ErrorBoundary name="runs">
            <RunsPanel
              runs={saved.runs}
              shownId={shownId}
              compareIds={compareIds}
              colors={colors}
              activeId={active?.id ?? null}
              onShow={setShownId}
              onToggleCompare={(id, on) =>
                setCompareIds((prev) => {
                  const next = new Set(prev);
                  if (on) next.add(id);
                  else next.delete(id);
                  return next;
                })
              }
              onRename={saved.rename}
              onDelete={(id) => {
                saved.remove(id);
                setCompareIds((prev) => new Set([...prev].filter((x) => x !== id)));
                if (shownId === id) setShownId(null);
              }}
              onShare={(run) => void share(run)}
              onDownloadModel={(run) => void downloadModel(run)}
              onExport={(runs) =>
                downloadFile('tricks-playground-runs.json', exportRuns(runs), 'application/json')
              }
              onImport={(file) => void importFile(file)}
              onResume={canStart ? resumeRun : null}
              message={message}
            />
            {shareLink && (
              <p className="share-link">
                <label>
                  Results link{' '}
                  <input
                    readOnly
                    value={shareLink}
                    data-testid="share-link"
                    onFocus={(e) => e.target.select()}
                  />
                </label>
              </p>
            )}
          </ErrorBoundary>
          <ErrorBoundary name="sweeps">
            <SweepControls
              sweep={sweep}
              disabled={!backendReady || !saved.loaded || problems.length > 0}
              onStart={startSweep}
              onCancel={() => setSweep(null)}
            />
          </ErrorBoundary>
          <ErrorBoundary name="comparison table">
            <CompareTable runs={compared} />
          </ErrorBoundary>
          <ErrorBoundary name="benchmark">
            <BenchmarkPanel
              backend={trainer.backend}
              training={!!active || busy}
              benchmark={benchmark}
            />
          </ErrorBoundary>
          <ErrorBoundary name="recipes">
            <ScaleRecipes config={config} />
          </ErrorBoundary>
        </div>
      </main>
      <footer className="app-footer">
        Settings live in the page address: share it to share the experiment. Runs are saved in this
        browser; the charts show the run marked “Shown” and overlay the compared runs.
      </footer>
    </div>
  );
}
