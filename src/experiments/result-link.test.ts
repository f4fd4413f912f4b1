import { deflateSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeRun } from './fixtures';
import {
  decodeResults,
  encodeResults,
  MAX_ENCODED_CHARS,
  MAX_JSON_BYTES,
  resultsFromHash,
  runFromPayload,
  thin,
  toBase64Url,
} from './result-link';

const encodeJson = (value: unknown) => toBase64Url(deflateSync(strToU8(JSON.stringify(value))));

describe('result link codec', () => {
  it('round-trips a short run exactly (values rounded to 5–6 digits)', () => {
    const run = makeRun('r3', { cosine: true, label_smoothing: 0.1, model: 'resnet10' });
    const encoded = encodeResults(run);
    const decoded = decodeResults(encoded);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const { run: back, ignored } = runFromPayload(decoded.payload, 'r9', 5);
    expect(ignored).toEqual([]);
    expect(back.config).toEqual({ ...run.config, autorun: false });
    expect(back.final).toEqual(run.final);
    expect(back.origin).toBe('shared');
    expect(back.points.map((p) => p.step)).toEqual(run.points.map((p) => p.step));
    back.points.forEach((p, i) => expect(p.loss).toBeCloseTo(run.points[i]!.loss, 4));
    back.evals.forEach((e, i) => {
      expect(e.top1).toBeCloseTo(run.evals[i]!.top1, 6);
      expect(e.meanGap).toBeCloseTo(run.evals[i]!.meanGap, 4);
    });
    expect(back.evals.at(-1)!.gaps).toEqual(
      run.evals.at(-1)!.gaps.map((g) => Number(g.toPrecision(3))),
    );
  });

  it('thins long curves to stay under the size cap, keeping the last step', () => {
    const run = makeRun('r1', {}, { steps: 50_000, epochs: 200 });
    const encoded = encodeResults(run);
    expect(encoded.length).toBeLessThanOrEqual(MAX_ENCODED_CHARS);
    const decoded = decodeResults(encoded);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.payload.points.at(-1)![0]).toBe(50_000);
    expect(decoded.payload.thinned.points).toBe(50_000);
    expect(decoded.payload.evals.at(-1)![0]).toBe(200);
  });

  it('thin keeps first and last and respects the maximum', () => {
    const items = Array.from({ length: 1001 }, (_, i) => i);
    const t = thin(items, 100);
    expect(t.length).toBeLessThanOrEqual(100);
    expect(t[0]).toBe(0);
    expect(t.at(-1)).toBe(1000);
  });

  it.each([
    ['', 'empty'],
    ['not base64!', 'not base64url'],
    ['AAAA', 'does not decompress'],
    [toBase64Url(deflateSync(strToU8('{oops'))), 'not JSON'],
    ['A'.repeat(MAX_ENCODED_CHARS + 1), 'too long'],
  ])('rejects %j with a clear message', (input, message) => {
    const result = decodeResults(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('rejects a payload that decompresses beyond the cap (deflate bomb)', () => {
    const bomb = toBase64Url(
      deflateSync(new Uint8Array(MAX_JSON_BYTES + 10).fill(32), { level: 9 }),
    );
    expect(bomb.length).toBeLessThan(MAX_ENCODED_CHARS);
    const result = decodeResults(bomb);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('refused');
  });

  it('names the malformed field', () => {
    const good = decodeResults(encodeResults(makeRun('r1')));
    if (!good.ok) throw new Error('fixture');
    const cases: [unknown, string][] = [
      [{ ...good.payload, v: 2 }, 'v:'],
      [{ ...good.payload, points: [[1, 1, 'x', 0.1]] }, 'points.0.2'],
      [{ ...good.payload, final: { ...good.payload.final, top1: 7 } }, 'final.top1'],
      [{ ...good.payload, status: 'exploded' }, 'status'],
    ];
    for (const [payload, field] of cases) {
      const result = decodeResults(encodeJson(payload));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain(field);
    }
  });

  it('reports unusable settings of the sender instead of failing', () => {
    const good = decodeResults(encodeResults(makeRun('r1')));
    if (!good.ok) throw new Error('fixture');
    const { run, ignored } = runFromPayload(
      { ...good.payload, query: 'batch=99999&model=vgg' },
      'r2',
      0,
    );
    expect(run.config.batch).toBe(128);
    expect(ignored.join(' ')).toContain('batch');
    expect(ignored.join(' ')).toContain('model');
  });

  it('reads the fragment', () => {
    expect(resultsFromHash('#results=abc_-')).toBe('abc_-');
    expect(resultsFromHash('')).toBeNull();
  });
});
