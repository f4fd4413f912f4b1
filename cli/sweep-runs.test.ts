import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/defaults';
import type { SweepRow } from '../src/experiments/sweeps';
import { backboneRows, dryRunRows, savedRunOf, teacherIndex, teacherRows } from './sweep-runs';

const row = (label: string, repeat: number, teacher: string | null = null): SweepRow => ({
  label,
  column: null,
  query: `seed=${repeat + 1}`,
  seed: repeat + 1,
  repeat,
  teacher,
  inTable: !label.startsWith('Teacher'),
});

// Two repeats of a table with one teacher: each repeat's student gets its own repeat's teacher.
const ROWS = [
  row('Teacher', 0),
  row('Teacher', 1),
  row('Base', 0),
  row('Base', 1),
  row('+ distill', 0, 'Teacher'),
  row('+ distill', 1, 'Teacher'),
];

describe('the CLI sweep', () => {
  it('finds each student its teacher of the same repeat', () => {
    expect(ROWS.map((_, i) => teacherIndex(ROWS, i))).toEqual([null, null, null, null, 0, 1]);
    expect([...teacherRows(ROWS)]).toEqual([0, 1]);
  });

  it('refuses a teacher that trains after its student', () => {
    expect(() => teacherIndex([row('+ distill', 0, 'Teacher'), row('Teacher', 0)], 0)).toThrow(
      /trains later/,
    );
  });

  it('--dry-run lists label, query, seed and teacher only', () => {
    expect(dryRunRows(ROWS.slice(4, 5))).toEqual({
      rows: [{ label: '+ distill', query: 'seed=1', seed: 1, teacher: 'Teacher' }],
    });
  });

  it('keeps the backbones of later rows (Table 9), and --dry-run names each FCN’s backbone row', () => {
    const rows = [
      { ...row('Base', 0), inTable: false },
      { ...row('Base', 0), column: 'FCN', backboneRow: 0 },
    ];
    expect([...backboneRows(rows)]).toEqual([0]);
    expect(dryRunRows(rows).rows[1]).toEqual({
      label: 'Base',
      query: 'seed=1',
      seed: 1,
      teacher: null,
      backboneRow: 0,
    });
  });

  it('a trained row becomes a finished run of the table, with its mean epoch time', () => {
    const run = savedRunOf('table6', 4, ROWS[4]!, {
      config: { ...DEFAULT_CONFIG, seed: 1 },
      points: [{ step: 1, epoch: 1, loss: 2, lr: 0.1 }],
      evals: [{ epoch: 1, step: 1, valLoss: 1.5, top1: 0.25, top5: 0.75, meanGap: 1 }],
      epochSeconds: [3, 5],
      warmupMs: 100,
      finished: true,
    });
    expect(run).toMatchObject({
      id: 'r5',
      status: 'finished',
      sweep: { table: 'table6', row: 4, label: '+ distill', repeat: 0 },
      final: { top1: 0.25, top5: 0.75, trainLoss: 2, secondsPerEpoch: 4 },
    });
  });
});
