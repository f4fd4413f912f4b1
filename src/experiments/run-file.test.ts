import { describe, expect, it } from 'vitest';
import { makeRun } from './fixtures';
import { admitImported, exportRuns, parseRunFile } from './run-file';

describe('run files', () => {
  it('export → import → export is the identity', () => {
    const runs = [makeRun('r1'), makeRun('r2', { cosine: true, mixup: 0.2 })];
    const text = exportRuns(runs);
    const parsed = parseRunFile(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(exportRuns(admitImported(parsed.runs, []))).toBe(text);
  });

  it('renames imported runs whose id is taken and never imports a running run', () => {
    const runs = [makeRun('r1'), { ...makeRun('r2'), status: 'running' as const }];
    const admitted = admitImported(runs, ['r1', 'r3']);
    expect(admitted.map((r) => r.id)).toEqual(['r4', 'r2']);
    expect(admitted[1]!.status).toBe('interrupted');
  });

  it.each([
    ['not json', 'not JSON'],
    ['{"format":"other","version":1,"runs":[]}', 'format'],
    ['{"format":"tricks-playground-runs","version":1,"runs":[]}', 'holds no runs'],
  ])('rejects %s with a clear message', (text, message) => {
    const result = parseRunFile(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('names a bad field, including invalid settings', () => {
    const file = JSON.parse(exportRuns([makeRun('r1')]));
    file.runs[0].config.batch = 5000;
    let result = parseRunFile(JSON.stringify(file));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('runs.0.config.batch');
    file.runs[0].config.batch = 16;
    file.runs[0].config.unknown_trick = 1;
    result = parseRunFile(JSON.stringify(file));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('unknown_trick');
  });
});
