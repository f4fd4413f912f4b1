import { PARAM_KEYS, PARAMS, type ExperimentConfig, type ParamKey } from '../config/params';
import { diffLabel } from './config-diff';
import type { SavedRun } from './saved-run';
import { mean, pairedInterval, sampleStd, type PairedInterval } from './statistics';

/**
 * The paper's Tables 4–6 from saved runs. Runs that differ only in their seed form one row (a
 * sweep's row and its repeats); a row shows the mean ± sample standard deviation over its
 * finished runs, and its Δ to the first row with a 95% interval from the differences seed by seed
 * (the same seed in both rows: a paired design, which cancels the noise both rows share). Pure:
 * the UI, Markdown and CSV all render this one structure.
 */

/** Mean ± sample std over a row's finished runs. */
export interface RowStat {
  mean: number | null;
  /** Null below two values. */
  std: number | null;
  n: number;
}

export interface RowDelta {
  /** Mean of the paired differences; the difference of the means where no seed is shared. */
  value: number;
  /** Pairs: seeds both rows have finished runs of. */
  pairs: number;
  /** 95% interval of the paired differences; null below two pairs. */
  interval: PairedInterval | null;
}

export interface AblationRow {
  /** Runs of the row, in training order; `runId` is the first. */
  runIds: string[];
  runId: string;
  name: string;
  /** The sweep's row name; else "baseline" for the first row, or what differs from it. */
  label: string;
  batch: number;
  epochs: number;
  /** Seeds of the finished runs, which the statistics use. */
  seeds: number[];
  /** Runs of the row not finished (running, stopped, failed): left out of the statistics. */
  unfinished: number;
  top1: RowStat;
  top5: RowStat;
  loss: RowStat;
  secondsPerEpoch: RowStat;
  dTop1: RowDelta | null;
  dTop5: RowDelta | null;
  /** Segmentation (Table 9): mIoU of the last validation; `top1` is the pixel accuracy. */
  mIoU: RowStat;
  dMIoU: RowDelta | null;
  /** Transfer: top-1 of the row's backbone runs (found by `backboneOf`); null without any. */
  backboneTop1: RowStat | null;
  /** Difference of the means. */
  dLoss: number | null;
  dSecondsPerEpoch: number | null;
}

export interface AblationTable {
  rows: AblationRow[];
  /**
   * The runs segment (task=segment, Table 9): the columns read pixel accuracy, mIoU and the
   * backbones' top-1 instead of top-1 and top-5.
   */
  segmentation: boolean;
  /** The most pairs any row has with the first row: below 2, no interval can be computed. */
  maxPairs: number;
}

/** Keys that do not tell rows apart: the seed varies within a row; the rest do not train. */
const NOT_A_ROW: ReadonlySet<ParamKey> = new Set([
  'seed',
  'repeats',
  'autorun',
  'present',
  'classes',
]);

/** Run ids a sweep sets per repeat: its teacher and (Table 9) its backbone. */
const SWEEP_RUN_IDS: ReadonlySet<ParamKey> = new Set(['distill', 'backbone']);

/**
 * Runs with the same key are repeats of one row. A sweep's runs are keyed by their row, less the
 * teacher's and the backbone's run ids, which differ repeat by repeat.
 */
export function rowKey(run: Pick<SavedRun, 'config' | 'sweep'>): string {
  const settings = PARAM_KEYS.filter(
    (k) => !NOT_A_ROW.has(k) && !(run.sweep && SWEEP_RUN_IDS.has(k)),
  )
    .map((k) => `${k}=${String(run.config[k] ?? PARAMS[k].default)}`)
    .join('&');
  return run.sweep ? `${run.sweep.table}|${run.sweep.label}|${settings}` : settings;
}

const percent = (x: number | null | undefined): number | null =>
  x === null || x === undefined ? null : x * 100;

interface Metrics {
  top1: number | null;
  top5: number | null;
  mIoU: number | null;
  loss: number | null;
  seconds: number | null;
}

const metricsOf = (run: SavedRun): Metrics => ({
  top1: percent(run.final?.top1),
  top5: percent(run.final?.top5),
  mIoU: percent(run.evals.at(-1)?.mIoU),
  loss: run.final?.trainLoss ?? null,
  seconds: run.final?.secondsPerEpoch ?? null,
});

function stat(values: (number | null)[]): RowStat {
  const xs = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return { mean: mean(xs), std: sampleStd(xs), n: xs.length };
}

/** The finished runs of a row, one per seed (the first trained), by seed. */
function bySeed(runs: readonly SavedRun[]): Map<number, Metrics> {
  const out = new Map<number, Metrics>();
  for (const run of runs) if (!out.has(run.config.seed)) out.set(run.config.seed, metricsOf(run));
  return out;
}

function pairedDelta(
  row: Map<number, Metrics>,
  base: Map<number, Metrics>,
  pick: (m: Metrics) => number | null,
  rowMean: number | null,
  baseMean: number | null,
): RowDelta | null {
  const differences: number[] = [];
  for (const [seed, metrics] of row) {
    const x = pick(metrics);
    const y = base.has(seed) ? pick(base.get(seed)!) : null;
    if (x !== null && y !== null) differences.push(x - y);
  }
  if (differences.length > 0) {
    return {
      value: mean(differences)!,
      pairs: differences.length,
      interval: pairedInterval(differences),
    };
  }
  if (rowMean === null || baseMean === null) return null;
  return { value: rowMean - baseMean, pairs: 0, interval: null };
}

const isFinished = (run: SavedRun) => run.status === 'finished' && run.final !== null;

/**
 * `backboneOf`: the run a transferred run started from (its `config.backbone`), where the caller
 * holds it; the rows then show their backbones' top-1 (Table 9).
 */
export function buildAblationTable(
  runs: readonly SavedRun[],
  backboneOf: (run: SavedRun) => SavedRun | undefined = () => undefined,
): AblationTable {
  const groups = new Map<string, SavedRun[]>();
  for (const run of runs) {
    const key = rowKey(run);
    const group = groups.get(key);
    if (group) group.push(run);
    else groups.set(key, [run]);
  }
  const rowsOfRuns = [...groups.values()];
  const first = rowsOfRuns[0];
  if (!first) return { rows: [], maxPairs: 0, segmentation: false };
  const firstConfig = first[0]!.config;
  const finishedOf = (group: SavedRun[]) => group.filter(isFinished);
  const baseRuns = finishedOf(first);
  const base = bySeed(baseRuns);
  const baseStats = {
    top1: stat(baseRuns.map((r) => metricsOf(r).top1)),
    top5: stat(baseRuns.map((r) => metricsOf(r).top5)),
    mIoU: stat(baseRuns.map((r) => metricsOf(r).mIoU)),
    loss: stat(baseRuns.map((r) => metricsOf(r).loss)),
    seconds: stat(baseRuns.map((r) => metricsOf(r).seconds)),
  };
  const rows = rowsOfRuns.map((group, i): AblationRow => {
    const lead = group[0]!;
    const finished = finishedOf(group);
    const metrics = finished.map(metricsOf);
    const top1 = stat(metrics.map((m) => m.top1));
    const top5 = stat(metrics.map((m) => m.top5));
    const mIoU = stat(metrics.map((m) => m.mIoU));
    const loss = stat(metrics.map((m) => m.loss));
    const backbones = finished.flatMap((r) => backboneOf(r) ?? []).filter(isFinished);
    const seconds = stat(metrics.map((m) => m.seconds));
    const own = bySeed(finished);
    const label = lead.sweep
      ? lead.sweep.label
      : i === 0
        ? 'baseline'
        : diffLabel(firstConfig, { ...lead.config, seed: firstConfig.seed } as ExperimentConfig);
    const meanDiff = (a: number | null, b: number | null) =>
      a === null || b === null ? null : a - b;
    return {
      runIds: group.map((r) => r.id),
      runId: lead.id,
      name: lead.name,
      label,
      batch: lead.config.batch,
      epochs: lead.config.epochs,
      seeds: [...own.keys()],
      unfinished: group.length - finished.length,
      top1,
      top5,
      loss,
      secondsPerEpoch: seconds,
      dTop1: i === 0 ? null : pairedDelta(own, base, (m) => m.top1, top1.mean, baseStats.top1.mean),
      dTop5: i === 0 ? null : pairedDelta(own, base, (m) => m.top5, top5.mean, baseStats.top5.mean),
      mIoU,
      dMIoU: i === 0 ? null : pairedDelta(own, base, (m) => m.mIoU, mIoU.mean, baseStats.mIoU.mean),
      backboneTop1: backbones.length > 0 ? stat(backbones.map((r) => metricsOf(r).top1)) : null,
      dLoss: i === 0 ? null : meanDiff(loss.mean, baseStats.loss.mean),
      dSecondsPerEpoch: i === 0 ? null : meanDiff(seconds.mean, baseStats.seconds.mean),
    };
  });
  const maxPairs = Math.max(0, ...rows.map((r) => r.dTop1?.pairs ?? 0));
  const segmentation = runs.some((r) => r.config.task === 'segment');
  return { rows, maxPairs, segmentation };
}

/** The classification table's columns (Tables 4–7). */
export const TABLE_COLUMNS = [
  'Runs',
  'Name',
  'Tricks vs. first row',
  'Batch',
  'Epochs',
  'Seeds',
  'Top-1 (%)',
  'Δ Top-1',
  'Δ Top-1 95% CI',
  'Top-5 (%)',
  'Δ Top-5',
  'Δ Top-5 95% CI',
  'Final loss',
  'Δ loss',
  'Time/epoch (s)',
  'Δ time',
] as const;

/** A segmentation table's columns (Table 9): the backbone's top-1, then the FCN's two scores. */
export const SEGMENTATION_COLUMNS = [
  'Runs',
  'Name',
  'Tricks vs. first row',
  'Batch',
  'Epochs',
  'Seeds',
  'Backbone top-1 (%)',
  'pixAcc (%)',
  'Δ pixAcc',
  'Δ pixAcc 95% CI',
  'mIoU (%)',
  'Δ mIoU',
  'Δ mIoU 95% CI',
  'Final loss',
  'Δ loss',
  'Time/epoch (s)',
  'Δ time',
] as const;

export type TableColumn = (typeof TABLE_COLUMNS)[number] | (typeof SEGMENTATION_COLUMNS)[number];

/** The columns of `table`, in the order of rowCells. */
export function tableColumns(table: Pick<AblationTable, 'segmentation'>): readonly TableColumn[] {
  return table.segmentation ? SEGMENTATION_COLUMNS : TABLE_COLUMNS;
}

/** Columns of text (left-aligned; spreadsheet formulas neutralized in CSV). */
const TEXT_COLUMNS = 3;

export const WITHIN_NOISE = 'within noise';

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

/** "76.21 ± 0.07" over several seeds, "76.21" over one. */
export function formatStat(s: RowStat, digits: number): string {
  const m = formatValue(s.mean, digits);
  return s.std === null || m === '' ? m : `${m} ± ${s.std.toFixed(digits)}`;
}

/** "[+0.40, +0.80]", "[−0.48, +4.48] within noise", or why there is no interval. */
export function formatInterval(d: RowDelta | null, digits: number): string {
  if (!d) return '';
  if (d.interval) {
    const { low, high, withinNoise } = d.interval;
    const text = `[${formatDelta(low, digits)}, ${formatDelta(high, digits)}]`;
    return withinNoise ? `${text} ${WITHIN_NOISE}` : text;
  }
  return d.pairs === 0 ? 'no interval: no seed in common' : 'no interval: 1 seed';
}

/** Whether the Δ of a row is within the noise: 'within', 'clear', or 'none' (no interval). */
export function noiseMark(d: RowDelta | null): 'within' | 'clear' | 'none' {
  if (!d?.interval) return 'none';
  return d.interval.withinNoise ? 'within' : 'clear';
}

/** The sentence under the table about intervals. */
export function intervalNote(table: AblationTable): string {
  if (table.rows.length < 2) return '';
  if (table.maxPairs < 2) {
    return 'Each row has one seed in common with the first row: no interval can be computed. Set Repeats (seeds) to 2 or more and train again.';
  }
  return `95% CI: d̄ ± t(0.975, n − 1) · s_d / √n over the n seeds both rows share (Student t). “${WITHIN_NOISE}”: the interval contains 0.`;
}

function seedsCell(row: AblationRow): string {
  const seeds = row.seeds.join(', ');
  if (row.unfinished === 0) return seeds;
  const more = `+${row.unfinished} unfinished`;
  return seeds ? `${seeds} (${more})` : more;
}

/** The cells of one row as text, in tableColumns order (`segmentation`: Table 9's). */
export function rowCells(row: AblationRow, segmentation = false): string[] {
  const scores = segmentation
    ? [
        row.backboneTop1 ? formatStat(row.backboneTop1, 2) : '',
        formatStat(row.top1, 2),
        formatDelta(row.dTop1?.value ?? null, 2),
        formatInterval(row.dTop1, 2),
        formatStat(row.mIoU, 2),
        formatDelta(row.dMIoU?.value ?? null, 2),
        formatInterval(row.dMIoU, 2),
      ]
    : [
        formatStat(row.top1, 2),
        formatDelta(row.dTop1?.value ?? null, 2),
        formatInterval(row.dTop1, 2),
        formatStat(row.top5, 2),
        formatDelta(row.dTop5?.value ?? null, 2),
        formatInterval(row.dTop5, 2),
      ];
  return [
    row.runIds.join(', '),
    row.name,
    row.label,
    String(row.batch),
    String(row.epochs),
    seedsCell(row),
    ...scores,
    formatStat(row.loss, 4),
    formatDelta(row.dLoss, 4),
    formatStat(row.secondsPerEpoch, 2),
    formatDelta(row.dSecondsPerEpoch, 2),
  ];
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(table: AblationTable): string {
  const columns = tableColumns(table);
  const header = `| ${columns.join(' | ')} |`;
  const rule = `| ${columns.map((_, i) => (i < TEXT_COLUMNS ? '---' : '--:')).join(' | ')} |`;
  const body = table.rows.map(
    (row) => `| ${rowCells(row, table.segmentation).map(markdownCell).join(' | ')} |`,
  );
  const note = intervalNote(table);
  return [header, rule, ...body].join('\n') + '\n' + (note ? `\n${note}\n` : '');
}

/** RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading apostrophe. */
export function csvCell(text: string, isText: boolean): string {
  let value = text;
  if (isText && /^[=+\-@\t\r]/.test(value)) value = `'${value}`;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(table: AblationTable): string {
  const lines = [
    tableColumns(table)
      .map((c) => csvCell(c, true))
      .join(','),
  ];
  for (const row of table.rows) {
    lines.push(
      rowCells(row, table.segmentation)
        .map((cell, i) => csvCell(cell, i < TEXT_COLUMNS))
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
