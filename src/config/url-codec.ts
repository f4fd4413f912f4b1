import { DEFAULT_CONFIG } from './defaults';
import { enforceConsistency, type IgnoredParam } from './consistency';
import { PARAM_KEYS, PARAMS, paramSpec, type ExperimentConfig, type ParamKey } from './params';
import { parseDecimal } from './number-text';

export type { IgnoredParam } from './consistency';

export interface ParsedQuery {
  config: ExperimentConfig;
  ignored: IgnoredParam[];
}

const MAX_VALUE_LENGTH = 64;

/**
 * `bench` and `bench_*` belong to the Benchmark panel (src/benchmark-report/url.ts parses them): the
 * experiment codec leaves them alone, and writing the experiment keeps them.
 */
export function isBenchmarkKey(key: string): boolean {
  return key === 'bench' || key.startsWith('bench_');
}

/**
 * Keys that other parts of the page read from the link: the Benchmark panel's, a race's (`race`,
 * src/experiments/race.ts) and a lesson's (`lesson`). The experiment codec leaves them alone and
 * writing the experiment keeps them.
 */
export function isPanelKey(key: string): boolean {
  return isBenchmarkKey(key) || key === 'race' || key === 'lesson';
}

/** The parameters of `search` whose keys `keep` accepts, as a query string (no '?'). */
export function queryPart(search: string, keep: (key: string) => boolean): string {
  const kept = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(search)) if (keep(key)) kept.append(key, value);
  return kept.toString();
}

/** Query strings joined with '&', empty ones left out. */
export function joinQueries(...queries: string[]): string {
  return queries.filter((q) => q !== '').join('&');
}

/**
 * Keys of older links, mapped onto today's parameters. `augment` switched the whole §2.1
 * pipeline; it now sets the four per-step switches unless the link also sets them itself.
 */
const LEGACY_KEYS: ReadonlyMap<string, readonly ParamKey[]> = new Map([
  ['augment', ['crop', 'flip', 'jitter', 'pca']],
]);
const KNOWN_KEYS = new Set<string>(PARAM_KEYS);

function isParamKey(key: string): key is ParamKey {
  return KNOWN_KEYS.has(key);
}

/** Converts one raw URL value into a typed value, or explains why it cannot. */
export function parseParamValue(
  key: ParamKey,
  raw: string,
): { ok: true; value: ExperimentConfig[ParamKey] } | { ok: false; reason: string } {
  const spec = paramSpec(key);
  if (raw.length > MAX_VALUE_LENGTH) return { ok: false, reason: 'value is too long' };
  let candidate: unknown;
  switch (spec.kind) {
    case 'bool':
      if (raw !== '0' && raw !== '1') return { ok: false, reason: 'must be 1 or 0' };
      candidate = raw === '1';
      break;
    case 'number': {
      const value = parseDecimal(raw);
      if (value === null) return { ok: false, reason: 'is not a number' };
      candidate = value;
      break;
    }
    default:
      candidate = raw;
  }
  const result = spec.schema.safeParse(candidate);
  if (!result.success) {
    return { ok: false, reason: result.error.issues[0]?.message ?? 'is not allowed' };
  }
  return { ok: true, value: result.data as ExperimentConfig[ParamKey] };
}

/**
 * Reads a query string (with or without the leading '?'). Never throws: anything unusable falls
 * back to its default and is listed in `ignored` with the reason.
 */
export function parseQuery(search: string): ParsedQuery {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const ignored: IgnoredParam[] = [];
  const seen = new Set<string>();
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  } catch {
    return {
      config: { ...DEFAULT_CONFIG },
      ignored: [{ key: '?', value: search.slice(0, 64), reason: 'unreadable query string' }],
    };
  }
  for (const [key, raw] of params) {
    if (isPanelKey(key)) continue;
    const shownValue = raw.slice(0, MAX_VALUE_LENGTH);
    const modern = LEGACY_KEYS.get(key);
    if (modern) {
      if (raw !== '0' && raw !== '1') {
        ignored.push({ key, value: shownValue, reason: 'must be 1 or 0' });
        continue;
      }
      for (const k of modern) if (!params.has(k)) config[k] = raw === '1';
      continue;
    }
    if (!isParamKey(key)) {
      ignored.push({
        key: key.slice(0, MAX_VALUE_LENGTH),
        value: shownValue,
        reason: 'unknown parameter',
      });
      continue;
    }
    if (seen.has(key)) {
      ignored.push({ key, value: shownValue, reason: 'repeated; the first value is used' });
      continue;
    }
    seen.add(key);
    const parsed = parseParamValue(key, raw);
    if (parsed.ok) config[key] = parsed.value;
    else ignored.push({ key, value: shownValue, reason: parsed.reason });
  }
  // A link with hub=owner/name and no dataset trains on that Hub dataset (toQuery writes hub only
  // with dataset=hub, so its own links never rely on this).
  if (params.has('hub') && !params.has('dataset') && config.hub !== '') config.dataset = 'hub';
  const consistent = enforceConsistency(config as ExperimentConfig);
  return { config: consistent.config, ignored: [...ignored, ...consistent.ignored] };
}

export function formatParamValue(value: ExperimentConfig[ParamKey]): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/**
 * The query string of a config: only values that differ from the defaults, in table order (and
 * `hub` only with dataset=hub).
 */
export function toQuery(config: ExperimentConfig): string {
  const params = new URLSearchParams();
  for (const key of PARAM_KEYS) {
    // undefined: a run saved before the parameter existed has its default.
    const value = config[key] as ExperimentConfig[ParamKey] | undefined;
    if (key === 'hub' && config.dataset !== 'hub') continue; // meaningless, and it would imply dataset=hub
    if (value !== undefined && value !== PARAMS[key].default) {
      params.set(key, formatParamValue(value));
    }
  }
  return params.toString();
}
