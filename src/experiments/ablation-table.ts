import { diffLabel } from './config-diff';
import type { SavedRun } from './saved-run';

/**
 * The paper's Tables 4–6 from saved runs: one row per run, labeled by what differs from the first
 * row, with top-1/top-5 (percent), final training loss and time per epoch, each with its delta to
 * the first row. Pure: the UI, Markdown and CSV all render this one structure.
 */

export interface AblationRow {
  runId: string;
  name: string;
  /** "baseline" for the first row; otherwise the settings that differ from it. */
  label: string;
  status: SavedRun['status'];
  top1: number | null;
  top5: number | null;
  loss: number | null;
  secondsPerEpoch: number | null;
  dTop1: number | null;
  dTop5: number | null;
  dLoss: number | null;
  dSecondsPerEpoch: number | null;
}

export interface AblationTable {
  rows: AblationRow[];
}

const percent = (x: number | null | undefined): number | null =>
  x === null || x === undefined ? null : x * 100;

const delta = (x: number | null, base: number | null): number | null =>
  x === null || base === null ? null : x - base;

export function buildAblationTable(runs: readonly SavedRun[]): AblationTable {
  const first = runs[0];
  if (!first) return { rows: [] };
  const base = {
    top1: percent(first.final?.top1),
    top5: percent(first.final?.top5),
    loss: first.final?.trainLoss ?? null,
    seconds: first.final?.secondsPerEpoch ?? null,
  };
  const rows = runs.map((run, i): AblationRow => {
    const top1 = percent(run.final?.top1);
    const top5 = percent(run.final?.top5);
    const loss = run.final?.trainLoss ?? null;
    const seconds = run.final?.secondsPerEpoch ?? null;
    return {
      runId: run.id,
      name: run.name,
      label: i === 0 ? 'baseline' : diffLabel(first.config, run.config),
      status: run.status,
      top1,
      top5,
      loss,
      secondsPerEpoch: seconds,
      dTop1: i === 0 ? null : delta(top1, base.top1),
      dTop5: i === 0 ? null : delta(top5, base.top5),
      dLoss: i === 0 ? null : delta(loss, base.loss),
      dSecondsPerEpoch: i === 0 ? null : delta(seconds, base.seconds),
    };
  });
  return { rows };
}

export const TABLE_COLUMNS = [
  'Run',
  'Name',
  'Tricks vs. first row',
  'Top-1 (%)',
  'Δ Top-1',
  'Top-5 (%)',
  'Δ Top-5',
  'Final loss',
  'Δ loss',
  'Time/epoch (s)',
  'Δ time',
] as const;

export function formatValue(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '' : x.toFixed(digits);
}

export function formatDelta(x: number | null, digits: number): string {
  if (x === null || !Number.isFinite(x)) return '';
  const fixed = x.toFixed(digits);
  // -0.00 reads as a change; show it as 0.
  if (Number(fixed) === 0) return (0).toFixed(digits);
  return x > 0 ? `+${fixed}` : fixed;
}

/** The cells of one row as text, in TABLE_COLUMNS order. */
export function rowCells(row: AblationRow): string[] {
  return [
    row.runId,
    row.name,
    row.label,
    formatValue(row.top1, 2),
    formatDelta(row.dTop1, 2),
    formatValue(row.top5, 2),
    formatDelta(row.dTop5, 2),
    formatValue(row.loss, 4),
    formatDelta(row.dLoss, 4),
    formatValue(row.secondsPerEpoch, 2),
    formatDelta(row.dSecondsPerEpoch, 2),
  ];
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(table: AblationTable): string {
  const header = `| ${TABLE_COLUMNS.join(' | ')} |`;
  const rule = `| ${TABLE_COLUMNS.map((_, i) => (i < 3 ? '---' : '--:')).join(' | ')} |`;
  const body = table.rows.map((row) => `| ${rowCells(row).map(markdownCell).join(' | ')} |`);
  return [header, rule, ...body].join('\n') + '\n';
}

/** RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading apostrophe. */
export function csvCell(text: string, isText: boolean): string {
  let value = text;
  if (isText && /^[=+\-@\t\r]/.test(value)) value = `'${value}`;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(table: AblationTable): string {
  const lines = [TABLE_COLUMNS.map((c) => csvCell(c, true)).join(',')];
  for (const row of table.rows) {
    lines.push(
      rowCells(row)
        .map((cell, i) => csvCell(cell, i < 3))
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
