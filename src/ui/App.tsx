import { useCallback, useMemo, useState } from 'react';
import type { ExperimentConfig } from '../config';
import { trainingProblems } from '../config/training-problems';
import { AugmentationPreview } from './components/AugmentationPreview';
import { BenchmarkPanel } from './components/BenchmarkPanel';
import { CompareTable } from './components/CompareTable';
import { ErrorBoundary } from './components/ErrorBoundary';
import { PredictionsPanel } from './components/PredictionsPanel';
import type { RunsMessage } from './components/RunsPanel';
import { LazySegmentationPanel } from './components/LazySegmentationPanel';
import { ScaleRecipes } from './components/ScaleRecipes';
import { SweepControls } from './components/SweepControls';
import { useApplyPreset } from './hooks/useApplyPreset';
import { useAutorun } from './hooks/useAutorun';
import { useBenchmark } from './hooks/useBenchmark';
import { useDataset } from './hooks/useDataset';
import { useExperimentConfig } from './hooks/useExperimentConfig';
import { useRunActions } from './hooks/useRunActions';
import { useCheckpointLoader } from './hooks/useCheckpointLoader';
import { useRunLauncher } from './hooks/useRunLauncher';
import { useRunSelection } from './hooks/useRunSelection';
import { useSavedRuns } from './hooks/useSavedRuns';
import type { SavedRun } from '../experiments/saved-run';
import { useSharedResults } from './hooks/useSharedResults';
import { useSweepQueue } from './hooks/useSweepQueue';
import { useTrainer } from './hooks/useTrainer';
import { useTrainingKeys } from './hooks/useTrainingKeys';
import { ChartsGrid } from './layout/ChartsGrid';
import { PageFooter, PageHeader } from './layout/PageHeader';
import { PageNotices } from './layout/PageNotices';
import { RunsSection } from './layout/RunsSection';
import { SettingsColumn } from './layout/SettingsColumn';
import { TrainingSection } from './layout/TrainingSection';
import { isActive } from './runs';
import { RacePanel } from './components/RacePanel';
import { LessonsPanel } from './components/LessonsPanel';
import { useLessons } from './hooks/useLessons';
import { useMeasuredThroughput } from './hooks/useMeasuredThroughput';
import { useRace } from './hooks/useRace';
import { racersOf, withAndWithout } from '../experiments/race';

/** The page: which state each part reads and which actions it may take. */
export function App() {
  const { config, ignored, setParam } = useExperimentConfig();
  const trainer = useTrainer();
  const { active, runs: sessionRuns, busy, backend } = trainer;
  const saved = useSavedRuns(trainer);
  const dataset = useDataset(trainer.api, config, setParam);
  const benchmark = useBenchmark(trainer.api);
  const selection = useRunSelection(saved.runs);
  // The comparison table shows a transferred run's backbone top-1 (Table 9).
  const backboneOf = useCallback(
    (run: SavedRun) => saved.runs.find((r) => r.id === run.config.backbone),
    [saved.runs],
  );
  const [message, say] = useState<RunsMessage | null>(null);

  const loadedClasses = dataset.classesFor(config);
  const problems = useMemo(
    () => trainingProblems(config, loadedClasses, backend?.maxStorageBufferBindingSize),
    [config, loadedClasses, backend],
  );
  // Steps per epoch and the sweeps' large batch follow the loaded dataset's size, not the
  // synthetic train_size.
  const loadedTrainCount = loadedClasses !== null ? (dataset.loaded?.trainCount ?? null) : null;
  const scheduleConfig = useMemo(
    () => (loadedTrainCount === null ? config : { ...config, train_size: loadedTrainCount }),
    [config, loadedTrainCount],
  );
  const canStart = backend !== null && saved.loaded && !busy && !active && !benchmark.running;

  const {
    startRun,
    startRace: launchRace,
    resumeRun,
  } = useRunLauncher(trainer, saved, selection.show, say);
  const races = useRace(canStart, {
    config,
    loadedClassesOf: dataset.classesFor,
    maxStorageBufferBindingSize: backend?.maxStorageBufferBindingSize,
    launch: launchRace,
    racerRuns: trainer.racers,
    savedRuns: saved.runs,
    selection,
  });
  const actions = useRunActions(saved, sessionRuns, say, trainer.api);
  const checkpoints = useCheckpointLoader(
    trainer.api,
    saved,
    sessionRuns,
    config,
    say,
    selection.show,
  );
  const applyPreset = useApplyPreset(config, setParam, say);
  const sweeps = useSweepQueue(
    config,
    canStart,
    backend?.backend === 'webgpu',
    loadedTrainCount,
    startRun,
    selection,
  );
  const throughput = useMeasuredThroughput(sessionRuns, trainer.racers, benchmark);
  const lessons = useLessons(canStart, {
    savedRuns: saved.runs,
    sessionRuns,
    startRun: (c) => startRun(c),
    startRace: races.startRace,
    startPlan: sweeps.startPlan,
  });
  // repeats > 1: the settings train once per seed, queued like a sweep, and are compared.
  const { startRepeats } = sweeps;
  const train = useCallback(
    (c: ExperimentConfig) => (c.repeats > 1 ? startRepeats(c) : startRun(c)),
    [startRepeats, startRun],
  );
  // A link's Hub download (source=hub) comes first: autorun waits for the dataset.
  // A race link with autorun=1 starts its race.
  const { startRace, racers: shownRacers } = races;
  const autorun = useCallback(
    (c: ExperimentConfig) => (shownRacers ? startRace(shownRacers, c.repeats) : train(c)),
    [shownRacers, startRace, train],
  );
  useAutorun(config, canStart && !dataset.pending, problems, autorun);
  useSharedResults(saved, selection.show, say);
  // Space and S act on a paused race through the racer that shows it paused.
  useTrainingKeys(
    { ...trainer, active: races.paused ?? active },
    config,
    canStart,
    problems,
    train,
    lessons.step,
  );

  const shownSession = sessionRuns.find((r) => r.id === selection.shownId) ?? null;
  return (
    <div className={config.present ? 'app present' : 'app'}>
      <PageHeader />
      <PageNotices
        backend={backend}
        workerError={trainer.workerError}
        storageError={saved.storageError}
        ignored={[...ignored, ...races.linkIgnored]}
      />
      <main className="layout">
        <SettingsColumn
          config={config}
          setParam={setParam}
          onPreset={applyPreset}
          locked={!!active}
          sessionRuns={sessionRuns}
          loadedTeachers={checkpoints.loadedTeachers}
          backend={backend}
          dataset={dataset}
          canRace={canStart && problems.length === 0}
          onRace={(key) => {
            const racers = withAndWithout(config, key);
            if (racers) races.startRace(racers, config.repeats);
          }}
        />
        <div className="results">
          <TrainingSection
            active={races.paused ?? active}
            problems={problems}
            unavailable={
              (!!trainer.workerError && !backend) || !saved.loaded || busy || benchmark.running
            }
            onTrain={() => train(config)}
            onPause={trainer.pause}
            onResume={trainer.resume}
            onStep={trainer.step}
            onStop={trainer.stop}
            benchmarkRunning={benchmark.running}
            savedRuns={saved.runs}
            progressRun={shownSession ?? (isActive(active) ? active : null)}
          />
          <ErrorBoundary name="augmentation preview">
            <AugmentationPreview
              api={trainer.api}
              config={config}
              disabled={!!active || !backend || benchmark.running}
              datasetReady={config.dataset === 'synthetic' || loadedClasses !== null}
            />
          </ErrorBoundary>
          <ErrorBoundary name="lessons">
            <LessonsPanel
              lessonId={lessons.lessonId}
              onSelect={lessons.select}
              throughput={throughput}
              baseConfig={config}
              disabled={!canStart || problems.length > 0}
              onStart={lessons.start}
              raceRuns={lessons.runs}
            />
            {lessons.message && (
              <p className="notice notice-error" role="alert">
                {lessons.message}
              </p>
            )}
          </ErrorBoundary>
          <ErrorBoundary name="race">
            <RacePanel
              racers={shownRacers}
              runs={trainer.racers}
              colors={selection.colors}
              repeats={races.race?.repeats ?? config.repeats}
              seedsDone={races.race?.next ?? 0}
              message={races.message}
              comparedCount={selection.compared.length}
              canStart={canStart}
              onStart={() => shownRacers && races.startRace(shownRacers, config.repeats)}
              onRaceCompared={() =>
                races.startRace(racersOf(selection.compared.map((r) => r.config)), config.repeats)
              }
              link={races.link}
              table={races.table}
            />
          </ErrorBoundary>
          <ChartsGrid
            scheduleConfig={scheduleConfig}
            config={config}
            liveStep={active ? (active.progress?.step ?? 0) : null}
            shown={selection.shown}
            overlays={selection.overlays}
            classesFor={dataset.classesFor}
          />
          <ErrorBoundary name="predictions">
            {(selection.shown?.config ?? config).task === 'segment' ? (
              <LazySegmentationPanel run={selection.shown} api={trainer.api} />
            ) : (
              <PredictionsPanel run={selection.shown} api={trainer.api} />
            )}
          </ErrorBoundary>
          <RunsSection
            saved={saved}
            selection={selection}
            actions={actions}
            activeId={active?.id ?? null}
            onResume={canStart ? resumeRun : null}
            onLoadCheckpoint={canStart ? (files) => void checkpoints.loadCheckpoint(files) : null}
            message={message}
          />
          <ErrorBoundary name="sweeps">
            <SweepControls
              sweep={sweeps.sweep}
              disabled={!backend || !saved.loaded || problems.length > 0}
              repeats={config.repeats}
              longMixup={sweeps.longMixup}
              onLongMixup={sweeps.setLongMixup}
              sharedTeachers={sweeps.sharedTeachers}
              onSharedTeachers={sweeps.setSharedTeachers}
              onStart={sweeps.startSweep}
              onCancel={sweeps.cancelSweep}
            />
          </ErrorBoundary>
          <ErrorBoundary name="comparison table">
            <CompareTable runs={selection.compared} backboneOf={backboneOf} />
          </ErrorBoundary>
          <ErrorBoundary name="benchmark">
            <BenchmarkPanel backend={backend} training={!!active || busy} benchmark={benchmark} />
          </ErrorBoundary>
          <ErrorBoundary name="recipes">
            <ScaleRecipes config={config} />
          </ErrorBoundary>
        </div>
      </main>
      <PageFooter />
    </div>
  );
}
