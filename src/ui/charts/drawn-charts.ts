/** Every recharts-drawn chart, as one lazily loaded chunk: see lazy.tsx. */
export { AccuracyChart } from './AccuracyChart';
export { LogitGapChart } from './LogitGapChart';
export { LossChart } from './LossChart';
export { LossScaleChart } from './LossScaleChart';
export { LrChart } from './LrChart';
export { SegmentationAccuracyChart } from './SegmentationAccuracyChart';
export { GapFigure, ScheduleFigure } from './TeachingFigures';
