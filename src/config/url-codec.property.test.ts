import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enforceConsistency } from './consistency';
import { PARAM_KEYS } from './params';
import { experimentConfigSchema } from './schema';
import { parseQuery, toQuery } from './url-codec';

/** Raw values that look like what people and programs put in links, plus plain noise. */
const rawValue = fc.oneof(
  fc.string(),
  fc.constantFrom('0', '1', '-1', '1e309', 'NaN', 'Infinity', '0x10', '', ' ', '%', '%zz', '<b>'),
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom('resnet18', 'resnet50', 'r1', 'synthetic', 'small'),
);
const key = fc.oneof(fc.constantFrom(...PARAM_KEYS), fc.string());
const query = fc
  .array(fc.tuple(key, rawValue), { maxLength: 30 })
  .map((pairs) =>
    pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
  );

function expectValid(search: string) {
  const { config, ignored } = parseQuery(search);
  expect(experimentConfigSchema.safeParse(config).success).toBe(true);
  expect(enforceConsistency(config).ignored).toEqual([]);
  for (const item of ignored) {
    expect(typeof item.reason).toBe('string');
    expect(item.reason.length).toBeGreaterThan(0);
  }
  return config;
}

describe('URL codec under arbitrary input', () => {
  it('never throws and always yields a valid, consistent config for any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => void expectValid(s)),
      {
        numRuns: 2000,
      },
    );
  });

  it('never throws for arbitrary key/value pairs, including percent-encoded noise', () => {
    fc.assert(
      fc.property(query, (q) => void expectValid(q)),
      { numRuns: 2000 },
    );
  });

  it('what it yields serializes to a link that restores the same config', () => {
    fc.assert(
      fc.property(query, (q) => {
        const config = expectValid(q);
        const again = parseQuery(toQuery(config));
        expect(again.ignored).toEqual([]);
        expect(again.config).toEqual(config);
      }),
      { numRuns: 1000 },
    );
  });
});
