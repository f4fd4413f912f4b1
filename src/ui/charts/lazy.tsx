import { lazy, Suspense, type ComponentType } from 'react';
import { useChartHeight } from './ChartCard';

/**
 * The charts, fetched after the page's first render: with recharts and its d3/redux dependencies
 * they are about 130 kB of gzipped JavaScript, nearly half of what the page would otherwise load
 * before it can show anything, and the controls work without them. All charts share one chunk (drawn-charts.ts),
 * fetched once. Import charts from here, never from their own modules, or recharts is back in the
 * initial bundle (`npm run build` reports its size against the budget).
 */
type Charts = typeof import('./drawn-charts');
const loadCharts = () => import('./drawn-charts');

function ChartLoading() {
  return (
    <div className="chart-empty" style={{ height: useChartHeight() }} aria-busy="true">
      Loading chart…
    </div>
  );
}

function lazyChart<P extends object>(pick: (charts: Charts) => ComponentType<P>): ComponentType<P> {
  const Chart = lazy(async () => ({ default: pick(await loadCharts()) }));
  return function LazyChart(props: P) {
    return (
      <Suspense fallback={<ChartLoading />}>
        <Chart {...props} />
      </Suspense>
    );
  };
}

export const AccuracyChart = lazyChart((charts) => charts.AccuracyChart);
export const LogitGapChart = lazyChart((charts) => charts.LogitGapChart);
export const LossChart = lazyChart((charts) => charts.LossChart);
export const LossScaleChart = lazyChart((charts) => charts.LossScaleChart);
export const LrChart = lazyChart((charts) => charts.LrChart);
export const SegmentationAccuracyChart = lazyChart((charts) => charts.SegmentationAccuracyChart);
export const GapFigure = lazyChart((charts) => charts.GapFigure);
export const ScheduleFigure = lazyChart((charts) => charts.ScheduleFigure);
