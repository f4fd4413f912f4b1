import { createContext, useContext, type ReactNode } from 'react';

/** A titled chart panel; `readout` holds the latest numbers as text. */
export function ChartCard({
  id,
  title,
  subtitle,
  readout,
  children,
}: {
  id: string;
  title: string;
  subtitle?: ReactNode;
  readout?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="chart-card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {subtitle && <p className="chart-subtitle">{subtitle}</p>}
      {readout && <div className="chart-readout">{readout}</div>}
      <div className="chart-body">{children}</div>
    </section>
  );
}

export function EmptyChart({ children }: { children: ReactNode }) {
  return <div className="chart-empty">{children}</div>;
}

export const CHART_HEIGHT = 220;
/** Presentation mode draws every chart this tall, for a classroom screen. */
export const PRESENTATION_CHART_HEIGHT = 420;
export const ChartHeightContext = createContext(CHART_HEIGHT);

export function useChartHeight(): number {
  return useContext(ChartHeightContext);
}
export const COLORS = {
  primary: '#2563eb',
  secondary: '#f97316',
  muted: '#94a3b8',
  theory: '#dc2626',
  grid: '#e2e8f0',
};
