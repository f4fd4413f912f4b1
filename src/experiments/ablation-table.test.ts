import { describe, expect, it } from 'vitest';
import { buildAblationTable, csvCell, toCsv, toMarkdown } from './ablation-table';
import { makeRun } from './fixtures';

describe('ablation table', () => {
  const runs = [
    makeRun('r1', {}, { top1: 0.5, seconds: 4 }),
    makeRun('r2', { cosine: true }, { top1: 0.55, seconds: 4.5 }),
    makeRun('r3', { cosine: true, label_smoothing: 0.1, batch: 256 }, { top1: 0.6, seconds: 3 }),
  ];
  const table = buildAblationTable(runs);

  it('labels rows by what differs from the first row', () => {
    expect(table.rows.map((r) => r.label)).toEqual([
      'baseline',
      'cosine decay',
      'batch 256 + cosine decay + label smoothing 0.1',
    ]);
  });

  it('takes the stored metrics and computes deltas to the first row', () => {
    expect(table.rows[1]!.top1).toBeCloseTo(55);
    expect(table.rows[1]!.dTop1).toBeCloseTo(5);
    expect(table.rows[2]!.dTop1).toBeCloseTo(10);
    expect(table.rows[0]!.dTop1).toBeNull();
    expect(table.rows[2]!.secondsPerEpoch).toBeCloseTo(3);
    expect(table.rows[2]!.dSecondsPerEpoch).toBeCloseTo(-1);
    expect(table.rows[1]!.loss).toBe(runs[1]!.final!.trainLoss);
  });

  it('renders Markdown and CSV with the same cells', () => {
    const md = toMarkdown(table).split('\n');
    expect(md[0]).toContain('| Run | Name | Tricks vs. first row | Top-1 (%) |');
    expect(md[1]).toContain('--:');
    expect(md[3]).toContain('| 55.00 | +5.00 |');
    const csv = toCsv(table).split('\r\n');
    expect(csv[3]).toContain('60.00,+10.00');
    expect(csv).toHaveLength(5);
  });

  it('escapes Markdown pipes and neutralizes spreadsheet formulas in names', () => {
    const evil = { ...makeRun('r4'), name: '=HYPERLINK("x")|a,b' };
    const t = buildAblationTable([evil]);
    expect(toMarkdown(t)).toContain('=HYPERLINK("x")\\|a,b');
    expect(toCsv(t)).toContain(`"'=HYPERLINK(""x"")|a,b"`);
    expect(csvCell('+0.5', false)).toBe('+0.5');
  });

  it('is empty without runs', () => {
    expect(buildAblationTable([]).rows).toEqual([]);
  });
});
