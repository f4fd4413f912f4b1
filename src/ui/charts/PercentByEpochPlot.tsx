import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { COLORS } from './ChartCard';
import { overlayBands, overlayLines, top1Of, type OverlaySeries } from './overlays';

/** One line of the plot: a key of the data rows (percent values), its legend name and colour. */
export interface PercentLine {
  dataKey: string;
  name: string;
  stroke: string;
}

/**
 * Validation scores in percent after each epoch (the accuracy charts' plot: top-1/top-5, or pixel
 * accuracy/mIoU), with the compared runs' top-1 as dashed lines and bands of their repeats.
 */
export function PercentByEpochPlot({
  data,
  lines,
  overlays,
  height,
}: {
  data: Record<string, number | null>[];
  lines: PercentLine[];
  overlays: OverlaySeries[];
  height: number;
}) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      {/* Composed: recharts draws an Area (a band of repeats) only in Area or Composed charts. */}
      <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
        <CartesianGrid stroke={COLORS.grid} strokeDasharray="3 3" />
        <XAxis
          dataKey="epoch"
          type="number"
          domain={[1, 'dataMax']}
          allowDecimals={false}
          label={{ value: 'epoch', position: 'insideBottomRight', offset: -2 }}
        />
        <YAxis domain={[0, 100]} unit="%" width={48} />
        <Tooltip
          formatter={(v) => `${Number(v).toFixed(1)}%`}
          labelFormatter={(e) => `epoch ${String(e)}`}
        />
        <Legend />
        {lines.map((line) => (
          <Line key={line.dataKey} {...line} strokeWidth={2} isAnimationActive={false} />
        ))}
        {overlayBands(overlays, 'epoch', top1Of)}
        {overlayLines(overlays, 'epoch', top1Of)}
      </ComposedChart>
    </ResponsiveContainer>
  );
}
