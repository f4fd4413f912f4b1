import { classCount, type ExperimentConfig } from '../../config';
import type { SavedRun } from '../../experiments/saved-run';
import { CHART_HEIGHT, ChartHeightContext, PRESENTATION_CHART_HEIGHT } from '../charts/ChartCard';
import {
  AccuracyChart,
  LogitGapChart,
  LossChart,
  LossScaleChart,
  LrChart,
  SegmentationAccuracyChart,
} from '../charts/lazy';
import type { OverlaySeries } from '../charts/overlays';
import { ErrorBoundary } from '../components/ErrorBoundary';

export interface ChartsGridProps {
  /** The settings the learning-rate chart plans for (steps per epoch of the loaded dataset). */
  scheduleConfig: ExperimentConfig;
  /** The current settings, for the charts when no run is shown. */
  config: ExperimentConfig;
  /** The step the active run is at, marked on the learning-rate chart. */
  liveStep: number | null;
  shown: SavedRun | null;
  overlays: OverlaySeries[];
  /** Classes of the loaded dataset when the settings choose it, else null. */
  classesFor: (config: Pick<ExperimentConfig, 'dataset' | 'hub'>) => number | null;
}

/** The schedule and the shown run's curves, with the compared runs overlaid. */
export function ChartsGrid({
  scheduleConfig,
  config,
  liveStep,
  shown,
  overlays,
  classesFor,
}: ChartsGridProps) {
  const runConfig = shown?.config ?? config;
  return (
    <ChartHeightContext.Provider value={config.present ? PRESENTATION_CHART_HEIGHT : CHART_HEIGHT}>
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
        {(shown?.config.fp16 || overlays.some((o) => o.points.some((p) => p.lossScale))) && (
          <ErrorBoundary name="loss scale chart">
            <LossScaleChart points={shown?.config.fp16 ? shown.points : []} overlays={overlays} />
          </ErrorBoundary>
        )}
        <ErrorBoundary name="accuracy chart">
          {runConfig.task === 'segment' ? (
            <SegmentationAccuracyChart evals={shown?.evals ?? []} overlays={overlays} />
          ) : (
            <AccuracyChart evals={shown?.evals ?? []} overlays={overlays} />
          )}
        </ErrorBoundary>
        <ErrorBoundary name="logit gap chart">
          <LogitGapChart
            evals={shown?.evals ?? []}
            classes={classCount(runConfig, classesFor(runConfig))}
            epsilon={runConfig.label_smoothing}
            overlays={overlays}
          />
        </ErrorBoundary>
      </div>
    </ChartHeightContext.Provider>
  );
}
