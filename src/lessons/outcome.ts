import { buildResNetSpec, resnetOptionsFromConfig } from '../architecture/resnet-spec';
import { summarizeResNet } from '../architecture/summary';
import { classCount } from '../config/consistency';
import type { ExperimentConfig } from '../config/params';
import { buildAblationTable, formatDelta } from '../experiments/ablation-table';
import type { SavedRun } from '../experiments/saved-run';
import { mean, pairedInterval, type PairedInterval } from '../experiments/statistics';
import { theoreticalLogitGap } from '../tricks/label-smoothing';
import type { Lesson, LessonMetric, PaperClaim } from './catalog';
import type { LessonPlan } from './plan';
import { RACE_TABLE } from '../experiments/race';

/**
 * What a finished race measured, next to the paper's direction, stated honestly: the measured
 * difference, whether its sign is the paper's, and whether it stands out of the seed-to-seed
 * noise (the comparison table's paired 95% interval, which needs two seeds or more). Top-1 goes
 * through the comparison table itself (buildAblationTable), so the lesson and the table always
 * give the same mark; the other measured quantities pair their runs seed by seed the same way.
 */

/** How a difference stands against noise. */
export type NoiseMark =
  /** The paired 95% interval excludes 0. */
  | 'clear'
  /** The interval holds 0. */
  | 'within'
  /** Fewer than two seeds in common: no interval. */
  | 'untested'
  /** Computed from the architecture: no noise. */
  | 'exact';

export interface RacerResult {
  label: string;
  runIds: string[];
  /** Seeds of the finished runs. */
  seeds: number[];
  /** Runs not finished (running, stopped, failed, interrupted). */
  unfinished: number;
  /** Means over the finished runs: top-1 in percent, the last evaluation's mean logit gap. */
  top1: number | null;
  meanGap: number | null;
  secondsPerEpoch: number | null;
  /** Computed from the racer's architecture. */
  params: number | null;
  macs: number | null;
  /** Eq. 5 for the racer's ε and class count; null without label smoothing. */
  theoreticalGap: number | null;
}

export interface ClaimOutcome {
  claim: PaperClaim;
  racerLabel: string;
  againstLabel: string;
  /** Racer minus against: points of top-1, logits, seconds, parameters or multiply-adds. */
  difference: number | null;
  /** The difference over the against value (time, parameters, multiply-adds); else null. */
  relative: number | null;
  /** Seeds both racers finished. */
  pairs: number;
  interval: PairedInterval | null;
  noise: NoiseMark;
  /** The measurement agrees with the paper; null when it cannot tell (no data, one seed for "same"). */
  agrees: boolean | null;
  sentence: string;
}

export type OutcomeState = 'waiting' | 'running' | 'incomplete' | 'done';

export interface LessonOutcome {
  state: OutcomeState;
  racers: RacerResult[];
  /** In the lesson's order: the first decides the headline. */
  claims: ClaimOutcome[];
  headline: string;
}

/** The tag's table of a race's runs (the page's race launcher). */

/** Relative tolerance of "same" for computed quantities (Table 5 rounds to 25 M). */
const SAME_COMPUTED = 0.01;

/** Keys that do not tell racers apart: the seed varies per race; the teacher's run id is no setting. */
const NOT_A_RACER = ['seed', 'repeats', 'autorun', 'present', 'classes', 'distill'] as const;

function racerKey(config: ExperimentConfig): string {
  const rest: Record<string, unknown> = { ...config };
  for (const k of NOT_A_RACER) delete rest[k];
  const keys = Object.keys(rest).sort();
  return `${keys.map((k) => `${k}=${String(rest[k])}`).join('&')}&teacher=${config.distill !== ''}`;
}

/**
 * The runs of each racer: by the race's tag (the page tags a race's runs with the racer's row),
 * else by the started plan's configurations (the seed and the teacher's id aside), else by the
 * runs' distinct configurations in the order they first appear (a race creates its runs in
 * racer order).
 */
export function runsByRacer(
  lesson: Lesson,
  runs: readonly SavedRun[],
  plan: Pick<LessonPlan, 'racers'> | null = null,
): SavedRun[][] {
  const groups: SavedRun[][] = lesson.racers.map(() => []);
  const assign = (indexOf: (run: SavedRun) => number): boolean => {
    const indices = runs.map(indexOf);
    if (!indices.every((i) => i >= 0 && i < groups.length)) return false;
    runs.forEach((run, j) => groups[indices[j]!]!.push(run));
    return true;
  };
  if (assign((run) => (run.sweep?.table === RACE_TABLE ? run.sweep.row : -1))) return groups;
  if (plan && plan.racers.length === lesson.racers.length) {
    const keys = plan.racers.map((r) => racerKey(r.config));
    if (assign((run) => keys.indexOf(racerKey(run.config)))) return groups;
  }
  const order: string[] = [];
  for (const run of runs) {
    const key = racerKey(run.config);
    let i = order.indexOf(key);
    if (i < 0) i = order.push(key) - 1;
    if (i < groups.length) groups[i]!.push(run);
  }
  return groups;
}

const isFinished = (run: SavedRun) => run.status === 'finished' && run.final !== null;

/** The first finished run of each seed. */
function bySeed(runs: readonly SavedRun[]): Map<number, SavedRun> {
  const out = new Map<number, SavedRun>();
  for (const run of runs)
    if (isFinished(run) && !out.has(run.config.seed)) out.set(run.config.seed, run);
  return out;
}

type Measured = 'top1' | 'meanGap' | 'secondsPerEpoch';

function measure(run: SavedRun, what: Measured): number | null {
  let x: number | null | undefined;
  if (what === 'top1')
    x = run.final?.top1 === null || run.final?.top1 === undefined ? null : run.final.top1 * 100;
  else if (what === 'meanGap') x = run.evals.at(-1)?.meanGap;
  else x = run.final?.secondsPerEpoch;
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

function meanOf(runs: readonly SavedRun[], what: Measured): number | null {
  return mean(
    [...bySeed(runs).values()].map((r) => measure(r, what)).filter((x): x is number => x !== null),
  );
}

function architecture(config: ExperimentConfig): { params: number; macs: number } | null {
  try {
    const spec = buildResNetSpec(resnetOptionsFromConfig(config, classCount(config)));
    const { params, macs } = summarizeResNet(spec, config.input);
    return { params, macs };
  } catch {
    return null;
  }
}

function racerResult(label: string, runs: readonly SavedRun[]): RacerResult {
  const finished = bySeed(runs);
  const config = runs[0]?.config ?? null;
  const arch = config ? architecture(config) : null;
  const eps = config?.label_smoothing ?? 0;
  return {
    label,
    runIds: runs.map((r) => r.id),
    seeds: [...finished.keys()],
    unfinished: runs.filter((r) => !isFinished(r)).length,
    top1: meanOf(runs, 'top1'),
    meanGap: meanOf(runs, 'meanGap'),
    secondsPerEpoch: meanOf(runs, 'secondsPerEpoch'),
    params: arch?.params ?? null,
    macs: arch?.macs ?? null,
    theoreticalGap: config && eps > 0 ? theoreticalLogitGap(classCount(config), eps) : null,
  };
}

/** The teacher's run id is not a setting of the row: every distilled run keys alike. */
function forTable(run: SavedRun): SavedRun {
  return {
    ...run,
    sweep: null,
    config: { ...run.config, distill: run.config.distill === '' ? '' : 'r0' },
  };
}

interface Paired {
  difference: number | null;
  pairs: number;
  interval: PairedInterval | null;
}

/** Top-1 through the comparison table: its Δ and interval of the racer's row to the first. */
function pairedTop1(racer: readonly SavedRun[], against: readonly SavedRun[]): Paired {
  const table = buildAblationTable([...against, ...racer].map(forTable));
  const delta = table.rows[1]?.dTop1 ?? null;
  return delta
    ? { difference: delta.value, pairs: delta.pairs, interval: delta.interval }
    : { difference: null, pairs: 0, interval: null };
}

/** Seed by seed, as the comparison table pairs top-1. */
function pairedMeasure(
  racer: readonly SavedRun[],
  against: readonly SavedRun[],
  what: Measured,
): Paired {
  const base = bySeed(against);
  const differences: number[] = [];
  for (const [seed, run] of bySeed(racer)) {
    const other = base.get(seed);
    const x = measure(run, what);
    const y = other ? measure(other, what) : null;
    if (x !== null && y !== null) differences.push(x - y);
  }
  return {
    difference: mean(differences),
    pairs: differences.length,
    interval: pairedInterval(differences),
  };
}

const fixed = (x: number | null, digits: number) => (x === null ? '?' : x.toFixed(digits));

function countText(n: number | null): string {
  if (n === null) return '?';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

const percentText = (rel: number, digits: number) => `${formatDelta(rel * 100, digits)} %`;

function measuredText(
  claim: PaperClaim,
  racer: RacerResult,
  against: RacerResult,
  difference: number,
  relative: number | null,
): string {
  switch (claim.metric) {
    case 'top1':
      return `${formatDelta(difference, 2)} points top-1 (${fixed(against.top1, 2)} → ${fixed(racer.top1, 2)} %)`;
    case 'logitGap': {
      const theory =
        racer.theoreticalGap === null ? '' : `; Eq. 5 gives ${racer.theoreticalGap.toFixed(2)}`;
      return `${formatDelta(difference, 2)} in the mean logit gap (${fixed(against.meanGap, 2)} → ${fixed(racer.meanGap, 2)}${theory})`;
    }
    case 'secondsPerEpoch':
      return `${percentText(relative ?? 0, 0)} time per epoch (${fixed(against.secondsPerEpoch, 2)} → ${fixed(racer.secondsPerEpoch, 2)} s)`;
    case 'params':
      return `${percentText(relative ?? 0, 1)} parameters (${countText(against.params)} → ${countText(racer.params)})`;
    case 'macs':
      return `${percentText(relative ?? 0, 1)} multiply-adds (${countText(against.macs)} → ${countText(racer.macs)})`;
  }
}

/** Differences that read 0 at the digits shown have no direction. */
const DIGITS = 2;
const readsZero = (x: number) => Number(x.toFixed(DIGITS)) === 0;

/** Units of a paired interval: top-1 in points, gaps in logits, time in seconds. */
const INTERVAL_UNITS: Record<LessonMetric, string> = {
  top1: ' points',
  logitGap: '',
  secondsPerEpoch: ' s',
  params: '',
  macs: '',
};

function intervalText(i: PairedInterval, metric: LessonMetric): string {
  const range = `[${formatDelta(i.low, DIGITS)}, ${formatDelta(i.high, DIGITS)}]`;
  return `95 % interval ${range}${INTERVAL_UNITS[metric]} over ${i.n} seeds`;
}

function verdictText(c: Omit<ClaimOutcome, 'sentence'>): string {
  const same = c.claim.direction === 'same';
  if (c.noise === 'exact') {
    return c.agrees
      ? 'Agrees with the paper (computed: no noise).'
      : 'Differs from the paper (computed: no noise).';
  }
  const flat = readsZero(c.difference ?? 0);
  if (c.noise === 'untested') {
    if (same)
      return 'One seed: not tested against noise, so it cannot show the paper’s “no change”.';
    const sign = flat
      ? 'No difference at this precision, where the paper reports one'
      : c.agrees
        ? 'Same direction as the paper'
        : 'Opposite to the paper’s direction';
    return `${sign}; one seed: not tested against noise.`;
  }
  const interval = intervalText(c.interval!, c.claim.metric);
  if (same) {
    return c.noise === 'within'
      ? `Agrees: no difference beyond the noise (${interval} holds 0).`
      : `Differs from the paper: a difference beyond the noise (${interval}).`;
  }
  if (c.noise === 'within') {
    const sign = flat
      ? ''
      : c.agrees
        ? ', though its sign matches the paper'
        : ', though its sign is opposite to the paper';
    return `Within noise (${interval} holds 0): the race cannot tell${sign}.`;
  }
  return c.agrees
    ? `Agrees with the paper’s direction, beyond the noise (${interval}).`
    : `Opposite to the paper’s direction, beyond the noise (${interval}).`;
}

function directionAgrees(claim: PaperClaim, difference: number, relative: number | null): boolean {
  if (claim.direction === 'higher') return difference > 0 && !readsZero(difference);
  if (claim.direction === 'lower') return difference < 0 && !readsZero(difference);
  return Math.abs(relative ?? 0) <= SAME_COMPUTED;
}

function claimOutcome(
  claim: PaperClaim,
  results: RacerResult[],
  groups: SavedRun[][],
): ClaimOutcome {
  const racer = results[claim.racer]!;
  const against = results[claim.against]!;
  const head = `${racer.label} vs ${against.label}`;
  const paper = `the paper (${claim.source}): ${claim.paper}`;
  const computedMetric = claim.metric === 'params' || claim.metric === 'macs' ? claim.metric : null;
  const computed = computedMetric !== null;
  let paired: Paired;
  if (computedMetric) {
    const x = racer[computedMetric];
    const y = against[computedMetric];
    paired = { difference: x === null || y === null ? null : x - y, pairs: 0, interval: null };
  } else if (claim.metric === 'top1') {
    paired = pairedTop1(groups[claim.racer]!, groups[claim.against]!);
  } else {
    const what = claim.metric === 'logitGap' ? 'meanGap' : 'secondsPerEpoch';
    paired = pairedMeasure(groups[claim.racer]!, groups[claim.against]!, what);
  }
  const { difference, pairs, interval } = paired;
  const base =
    claim.metric === 'secondsPerEpoch'
      ? against.secondsPerEpoch
      : computedMetric
        ? against[computedMetric]
        : null;
  const relative = difference !== null && base ? difference / base : null;
  const noise: NoiseMark = computed
    ? 'exact'
    : interval
      ? interval.withinNoise
        ? 'within'
        : 'clear'
      : 'untested';
  let agrees: boolean | null;
  if (difference === null) agrees = null;
  else if (claim.direction === 'same' && !computed) agrees = interval ? interval.withinNoise : null;
  else agrees = directionAgrees(claim, difference, relative);
  const partial = {
    claim,
    racerLabel: racer.label,
    againstLabel: against.label,
    difference,
    relative,
    pairs,
    interval,
    noise,
    agrees,
  };
  const sentence =
    difference === null
      ? `${head}: not measured (a racer has no finished run); ${paper}.`
      : `${head}: ${measuredText(claim, racer, against, difference, relative)}; ${paper}. ${verdictText(partial)}`;
  return { ...partial, sentence };
}

/**
 * The outcome of a lesson's race. `runs`: the race's runs (every seed; the teacher's excluded),
 * in the order the race created them; `plan`: the plan that was started, when the page has it.
 */
export function lessonOutcome(
  lesson: Lesson,
  runs: readonly SavedRun[],
  plan: Pick<LessonPlan, 'racers'> | null = null,
): LessonOutcome {
  const groups = runsByRacer(lesson, runs, plan);
  const racers = lesson.racers.map((r, i) => racerResult(r.label, groups[i]!));
  if (runs.length === 0) {
    return { state: 'waiting', racers, claims: [], headline: 'No race yet: start the lesson.' };
  }
  if (runs.some((r) => r.status === 'running')) {
    return {
      state: 'running',
      racers,
      claims: [],
      headline: 'The race is running: the outcome comes when every racer has finished.',
    };
  }
  const claims = lesson.claims.map((c) => claimOutcome(c, racers, groups));
  const missing = racers.filter((r) => r.seeds.length === 0).map((r) => r.label);
  if (missing.length > 0) {
    return {
      state: 'incomplete',
      racers,
      claims,
      headline: `${missing.join(', ')} did not finish: comparisons with ${missing.length === 1 ? 'it' : 'them'} have no outcome.`,
    };
  }
  return { state: 'done', racers, claims, headline: claims[0]?.sentence ?? '' };
}
