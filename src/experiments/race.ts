import { enforceConsistency } from '../config/consistency';
import { PARAM_KEYS, PARAMS, type ExperimentConfig, type ParamKey } from '../config/params';
import { TRICKS_OFF } from '../config/presets';
import { formatParamValue, parseParamValue, type IgnoredParam } from '../config/url-codec';
import { MAX_RACERS } from '../architecture/race-memory';
import { describeSetting, differingKeys } from './config-diff';

/**
 * A race: 2–4 configurations trained at once on one GPU, step by step in turn, with the same seed
 * and data (the worker's startRace). This module defines racers, "with / without this trick",
 * and the race's link: `race=<racer>;<racer>…`, each racer its settings that differ from the
 * page's as `key:value` pairs joined by ',' (e.g. `race=cosine:1;cosine:0`). Pure.
 */

export interface Racer {
  /** How it differs from the other racers, e.g. "label smoothing 0.1". */
  label: string;
  config: ExperimentConfig;
}

export const RACE_KEY = 'race';

/** The `sweep.table` tag of a racer's saved run (its row is the racer's index). */
export const RACE_TABLE = 'race';

/**
 * Settings every racer shares: the data (and its seed) and what is not training. A race isolates
 * the settings that differ; these cannot.
 */
export const SHARED_BY_RACERS: readonly ParamKey[] = [
  'dataset',
  'hub',
  'seed',
  'train_size',
  'val_size',
  'repeats',
  'present',
  'autorun',
  'classes',
];

/** The tricks a toggle can race with and without (TRICKS_OFF lists their "off" values). */
export const RACEABLE_TRICKS = Object.keys(TRICKS_OFF) as (keyof typeof TRICKS_OFF)[];

/** The paper's values where a trick is a number: warmup 5 of 120 epochs (1 here), ε 0.1, α 0.2. */
const ON_VALUES: Partial<Record<ParamKey, number>> = {
  warmup: 1,
  label_smoothing: 0.1,
  mixup: 0.2,
};

/** The value that turns `key` on: the current one when it is on, else the paper's. */
function onValue(key: keyof typeof TRICKS_OFF, config: ExperimentConfig): unknown {
  const off = TRICKS_OFF[key];
  if (config[key] !== off) return config[key];
  if (typeof off === 'boolean') return true;
  return ON_VALUES[key] ?? null;
}

/** `config` with `key` set, made consistent, alone (a race trains each racer once). */
function withSetting(config: ExperimentConfig, key: ParamKey, value: unknown): ExperimentConfig {
  return enforceConsistency({ ...config, [key]: value, repeats: 1, autorun: false }).config;
}

/**
 * The two racers of "race with / without this trick": `key` on (its current value, or the
 * paper's) and off, all else as `config`. Null when it cannot be turned on here (distillation
 * without a chosen teacher, or a setting the others force back).
 */
export function withAndWithout(
  config: ExperimentConfig,
  key: keyof typeof TRICKS_OFF,
): Racer[] | null {
  const on = onValue(key, config);
  if (on === null || on === '') return null;
  const withIt = withSetting(config, key, on);
  const without = withSetting(config, key, TRICKS_OFF[key]);
  if (withIt[key] === without[key]) return null;
  return [
    { label: describeSetting(key, withIt[key]), config: withIt },
    { label: describeSetting(key, without[key]), config: without },
  ];
}

/** Keys whose values differ between some of the configs, in table order. */
export function keysThatDiffer(configs: readonly ExperimentConfig[]): ParamKey[] {
  const first = configs[0];
  if (!first) return [];
  const keys = new Set(configs.slice(1).flatMap((c) => differingKeys(first, c)));
  return PARAM_KEYS.filter((k) => keys.has(k));
}

/** Each config labelled by its values where the configs differ ("same settings" if none). */
export function racersOf(configs: readonly ExperimentConfig[]): Racer[] {
  const keys = keysThatDiffer(configs);
  return configs.map((config) => ({
    label:
      keys.length === 0
        ? 'same settings'
        : keys.map((k) => describeSetting(k, config[k])).join(' + '),
    config: { ...config, repeats: 1, autorun: false },
  }));
}

/** Why these configurations cannot race (besides memory: race-memory.ts), or null. */
export function raceSettingsProblem(configs: readonly ExperimentConfig[]): string | null {
  if (configs.length < 2 || configs.length > MAX_RACERS) {
    return `A race has 2 to ${MAX_RACERS} racers (this one has ${configs.length}).`;
  }
  const shared = keysThatDiffer(configs).filter((k) => SHARED_BY_RACERS.includes(k));
  if (shared.length > 0) {
    const names = shared.map((k) => PARAMS[k].label).join(', ');
    return `Racers share the data and the seed: ${names} must be the same for all of them.`;
  }
  return null;
}

/** The `race` value of a link to these racers (each one's values where they differ). */
export function formatRace(configs: readonly ExperimentConfig[]): string {
  const keys = keysThatDiffer(configs);
  return configs.map((c) => keys.map((k) => `${k}:${formatParamValue(c[k])}`).join(',')).join(';');
}

/**
 * The racers of a link's `race` value on top of the page's settings `base`. Never throws: an
 * unusable part is listed in `ignored` with the reason (and the whole race is dropped when fewer
 * than 2 racers remain, or when they may not race).
 */
export function parseRace(
  value: string,
  base: ExperimentConfig,
): { racers: Racer[] | null; ignored: IgnoredParam[] } {
  const ignored: IgnoredParam[] = [];
  const shown = value.slice(0, 64);
  const configs: ExperimentConfig[] = [];
  for (const part of value.split(';').slice(0, MAX_RACERS + 1)) {
    const overrides: Record<string, unknown> = {};
    for (const pair of part.split(',').filter((p) => p !== '')) {
      const [key = '', raw = ''] = pair.split(':', 2);
      if (!(PARAM_KEYS as readonly string[]).includes(key)) {
        ignored.push({
          key: RACE_KEY,
          value: shown,
          reason: `"${key.slice(0, 32)}" is not a setting`,
        });
        continue;
      }
      const parsed = parseParamValue(key as ParamKey, raw);
      if (!parsed.ok) {
        ignored.push({ key: RACE_KEY, value: shown, reason: `${key} ${parsed.reason}` });
        continue;
      }
      overrides[key] = parsed.value;
    }
    configs.push(enforceConsistency({ ...base, ...overrides, repeats: 1, autorun: false }).config);
  }
  const problem = raceSettingsProblem(configs);
  if (problem) {
    ignored.push({ key: RACE_KEY, value: shown, reason: problem });
    return { racers: null, ignored };
  }
  return { racers: racersOf(configs), ignored };
}
