import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_DEFAULTS, BENCH_PARAMS, OPEN_KEY } from './url';

describe('docs/benchmark.md URL table: Benchmark panel parameters', () => {
  const doc = readFileSync(new URL('../../docs/benchmark.md', import.meta.url), 'utf8');
  const rowOf = (key: string) =>
    doc
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .find((row) => row[1] === `\`${key}\``);

  it('documents every bench_* parameter with its default', () => {
    for (const p of BENCH_PARAMS) {
      const cells = rowOf(p.key);
      expect(cells, `docs/benchmark.md row for ${p.key}`).toBeDefined();
      const value = BENCH_DEFAULTS[p.key]!;
      expect(cells!.at(-2), `default of ${p.key}`).toBe(value === '' ? 'empty' : `\`${value}\``);
      expect(cells!.slice(2, 4), `meaning and range of ${p.key}`).toEqual([p.meaning, p.range]);
    }
  });

  it('documents the key that opens the panel', () => {
    expect(rowOf(OPEN_KEY)?.at(-2)).toBe('`0`');
  });
});
