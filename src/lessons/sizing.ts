import { raceProblem } from '../architecture/race-memory';
import { buildResNetSpec, resnetOptionsFromConfig } from '../architecture/resnet-spec';
import { summarizeResNet } from '../architecture/summary';
import { classCount } from '../config/consistency';
import { DEFAULT_CONFIG } from '../config/defaults';
import { PARAMS, type ExperimentConfig } from '../config/params';
import type { Lesson } from './catalog';
import { displayModel, lessonConfigs, type LessonPlan, type LessonSize, type Racer } from './plan';

/**
 * Sizing a lesson to the user's GPU: the dataset size, epochs and width at which all racers
 * together (they share the GPU, so their times add), the teacher and the evaluations fit a time
 * budget, at a width whose racers fit in the memory a race may use together (race-memory.ts;
 * lessons that train their racers one by one are held to it too, which costs them little).
 * The formula (docs/lessons.md):
 *
 *   ips(c)  = ips_m × MACs(m) / (MACs(c) + MACs(teacher)/3 if c distills)
 *                   × min(1, batch_c/batch_m) × (½ if m is FP16 and c is not)
 *   run(c)  = startup + epochs × (train_size + val_size/3) / ips(c)
 *   total   = run(teacher) + repeats × Σ run(racer)      (the teacher trains once)
 *
 * Assumptions, each chosen so the estimate errs long rather than short:
 * - A training step's cost is proportional to the forward multiply-adds per image (backward is
 *   about twice the forward for every layer alike), so images/s scale by the inverse MAC ratio.
 *   Bandwidth-bound layers (BN, ReLU) do not scale exactly so; small widths are slower than this.
 * - A smaller batch than measured keeps the measured step time (small steps are bound by the fixed
 *   cost of their dispatches), a larger one keeps the measured images/s: both are upper bounds on
 *   the time when step time grows with the batch but not faster than it.
 * - FP16 is at most 2× faster (half the bytes, packed f16 arithmetic): an FP32 racer sized from an
 *   FP16 measurement is assumed half as fast, an FP16 racer from an FP32 one no faster.
 * - Evaluation runs the forward pass only, a third of a training step per image.
 * - A distilled racer also runs the teacher's forward pass on every image.
 * - Racers share the GPU, or train one after another: either way their times add.
 */

/** The settings a throughput was measured at; anything absent is the default. */
export type ThroughputConfig = Pick<
  ExperimentConfig,
  'model' | 'width' | 'input' | 'batch' | 'fp16'
> &
  Partial<Pick<ExperimentConfig, 'stem' | 'tweak_b' | 'tweak_c' | 'tweak_d' | 'dataset'>>;

/** Training images per second measured on this GPU (the benchmark, or a run's first steps). */
export interface Throughput {
  imagesPerSecond: number;
  config: ThroughputConfig;
  /**
   * The measuring run's warm-up (shader compilation and kernel timing), when known: the first run
   * of a lesson pays about as much again for its new shapes; later runs reuse the compiled shaders.
   */
  warmupSeconds?: number;
}

/**
 * What the sizing assumes before the page has measured anything: a slow GPU (an integrated one
 * of a few years ago), about six times lavapipe's ResNet-18 figure on two CPU cores.
 */
export const GUESSED_THROUGHPUT: Throughput = {
  imagesPerSecond: 200,
  config: { model: 'resnet18', width: 0.25, input: 32, batch: 128, fp16: false },
};

export const DEFAULT_BUDGET_SECONDS = 120;

/**
 * Seconds per run before its first step counts: shader compilation and kernel timing (10–25 s
 * for a fresh tfjs model, far less once the tuning cache and the shaders of the other racers,
 * which share most layer shapes, are warm). A guess: the page measures it as a run's warmupMs.
 */
export const STARTUP_SECONDS_PER_RUN = 5;

/** A forward pass is a third of a training step (forward, backward to inputs, to weights). */
const FORWARD_SHARE = 1 / 3;

export interface SizingOptions {
  budgetSeconds?: number;
  startupSecondsPerRun?: number;
  /** Multiply-adds of one image's forward pass; default: the architecture summary. */
  macsOf?: (config: ThroughputConfig) => number;
}

/** Forward multiply-adds per image of a configuration (the architecture summary). */
export function macsPerImage(config: ThroughputConfig): number {
  const full: ExperimentConfig = { ...DEFAULT_CONFIG, ...config };
  const spec = buildResNetSpec(resnetOptionsFromConfig(full, classCount(full)));
  return summarizeResNet(spec, full.input).macs;
}

/**
 * Training images per second of `config`, scaled from a measurement (see the assumptions);
 * `extraMacs`: forward multiply-adds per image the step runs besides the model's (a teacher's).
 */
export function estimateImagesPerSecond(
  measured: Throughput,
  config: ThroughputConfig,
  macsOf: (config: ThroughputConfig) => number = macsPerImage,
  extraMacs = 0,
): number {
  const macRatio = macsOf(measured.config) / (macsOf(config) + extraMacs);
  const batchFactor = Math.min(1, config.batch / measured.config.batch);
  const precisionFactor = measured.config.fp16 && !config.fp16 ? 0.5 : 1;
  return measured.imagesPerSecond * macRatio * batchFactor * precisionFactor;
}

/** Width tiers from the roomiest to the smallest; each wants at least `minTrain` images. */
const TIERS: readonly { width: number; minTrain: number }[] = [
  { width: 0.5, minTrain: 10000 },
  { width: 0.25, minTrain: 2000 },
  { width: 0.125, minTrain: 1000 },
  { width: 0.0625, minTrain: 500 },
];
/** Beyond this the lesson ends early on a fast GPU rather than grow the dataset. */
const MAX_TRAIN = 20000;
/** At the most images, epochs may grow to this many times the lesson's. */
const MAX_EPOCH_FACTOR = 3;
/** Training sizes are multiples of this: round numbers in the sentence. */
const TRAIN_STEP = 100;
const MIN_VAL = 500;

/** Half as many validation images as training ones, 500 at least: top-1 within ~2 points. */
export function valSizeFor(train: number): number {
  return Math.min(PARAMS.val_size.max, Math.max(MIN_VAL, Math.round(train / 2)));
}

function runSeconds(
  racer: Racer,
  teacher: Racer | null,
  size: LessonSize,
  measured: Throughput,
  macsOf: (c: ThroughputConfig) => number,
  startup: number,
): number {
  const teacherMacs = teacher ? FORWARD_SHARE * macsOf(teacher.config) : 0;
  const ips = estimateImagesPerSecond(measured, racer.config, macsOf, teacherMacs);
  return startup + (size.epochs * (size.train_size + FORWARD_SHARE * size.val_size)) / ips;
}

/** Seconds for the whole plan (the teacher, then a race per seed) at a size. */
export function estimateSeconds(
  lesson: Lesson,
  base: ExperimentConfig,
  size: LessonSize,
  measured: Throughput,
  options: SizingOptions = {},
): number {
  const macsOf = options.macsOf ?? macsPerImage;
  const startup = options.startupSecondsPerRun ?? STARTUP_SECONDS_PER_RUN;
  const { racers, teacher } = lessonConfigs(lesson, base, size);
  let race = 0;
  for (const r of racers) {
    race += runSeconds(r, r.usesTeacher ? teacher : null, size, measured, macsOf, startup);
  }
  const first = teacher ? runSeconds(teacher, null, size, measured, macsOf, startup) : 0;
  // The plan's first run compiles and times its kernels from scratch, as the measuring run did.
  const firstWarmUp =
    options.startupSecondsPerRun === undefined
      ? Math.max(0, (measured.warmupSeconds ?? 0) - startup)
      : 0;
  return firstWarmUp + first + race * Math.max(1, base.repeats);
}

function sizeAt(width: number, train: number, epochs: number): LessonSize {
  return { width, train_size: train, val_size: valSizeFor(train), epochs };
}

/**
 * The largest training size (a multiple of TRAIN_STEP in [minTrain, MAX_TRAIN]) that fits the
 * budget at this width and epochs, or null when even minTrain does not. Time grows with the
 * training size, so a bisection finds it.
 */
function largestFitting(
  fits: (size: LessonSize) => boolean,
  width: number,
  epochs: number,
  minTrain: number,
): LessonSize | null {
  if (!fits(sizeAt(width, minTrain, epochs))) return null;
  let low = minTrain / TRAIN_STEP;
  let high = MAX_TRAIN / TRAIN_STEP;
  if (fits(sizeAt(width, high * TRAIN_STEP, epochs))) low = high;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(sizeAt(width, mid * TRAIN_STEP, epochs))) low = mid;
    else high = mid;
  }
  return sizeAt(width, low * TRAIN_STEP, epochs);
}

export interface LessonSizing {
  size: LessonSize;
  estimatedSeconds: number;
  budgetSeconds: number;
  fits: boolean;
  /** False: the estimate rests on GUESSED_THROUGHPUT. */
  measured: boolean;
  /** Why the race cannot start even at the smallest width (its memory), or null. */
  memoryProblem: string | null;
  sentence: string;
}

/** Why the lesson's racers at this width cannot race together (memory), or null. */
function raceMemoryProblem(lesson: Lesson, base: ExperimentConfig, width: number): string | null {
  const { racers } = lessonConfigs(lesson, base, sizeAt(width, MAX_TRAIN, lesson.epochs));
  // The buffer limit is the adapter's: the page checks it again when the race starts.
  return raceProblem(
    racers.map((r) => r.config),
    undefined,
  );
}

/**
 * The roomiest tier whose race fits in memory and in the budget at the lesson's epochs; failing
 * all, the smallest tier at fewer epochs (down to the lesson's minimum); failing that, the
 * smallest size, reported over budget. At the most images, more epochs while they fit.
 */
export function sizeLesson(
  lesson: Lesson,
  base: ExperimentConfig,
  throughput: Throughput | null,
  options: SizingOptions = {},
): LessonSizing {
  const measured = throughput ?? GUESSED_THROUGHPUT;
  const budget = options.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
  const seconds = (size: LessonSize) => estimateSeconds(lesson, base, size, measured, options);
  const fits = (size: LessonSize) => seconds(size) <= budget;
  // Memory depends on the width (and batch and model), not on the data: check it per tier.
  const tiers = TIERS.filter((t) => raceMemoryProblem(lesson, base, t.width) === null);
  const smallest = TIERS[TIERS.length - 1]!;
  const memoryProblem = tiers.length === 0 ? raceMemoryProblem(lesson, base, smallest.width) : null;
  let size: LessonSize | null = null;
  for (const tier of tiers) {
    size = largestFitting(fits, tier.width, lesson.epochs, tier.minTrain);
    if (size) break;
  }
  for (let e = lesson.epochs - 1; !size && e >= lesson.minEpochs; e--) {
    size = largestFitting(fits, smallest.width, e, smallest.minTrain);
  }
  // A fast GPU that trains the most images in less than the budget trains them for longer.
  while (
    size?.train_size === MAX_TRAIN &&
    size.epochs < MAX_EPOCH_FACTOR * lesson.epochs &&
    fits({ ...size, epochs: size.epochs + 1 })
  ) {
    size = { ...size, epochs: size.epochs + 1 };
  }
  const chosen = size ?? sizeAt(smallest.width, smallest.minTrain, lesson.minEpochs);
  const estimatedSeconds = seconds(chosen);
  const result = {
    size: chosen,
    estimatedSeconds,
    budgetSeconds: budget,
    fits: size !== null,
    measured: throughput !== null,
    memoryProblem,
  };
  return { ...result, sentence: sizingSentence(lesson, base, result) };
}

/** The sized plan that "Start lesson" hands to the page. */
export function planLesson(
  lesson: Lesson,
  base: ExperimentConfig,
  throughput: Throughput | null,
  options: SizingOptions = {},
): LessonPlan {
  const sizing = sizeLesson(lesson, base, throughput, options);
  const { racers, teacher } = lessonConfigs(lesson, base, sizing.size);
  return {
    lessonId: lesson.id,
    mode: lesson.oneByOne ? 'one-by-one' : 'race',
    racers,
    teacher,
    repeats: Math.max(1, base.repeats),
    size: sizing.size,
    sizing: sizing.sentence,
    estimatedSeconds: sizing.estimatedSeconds,
    memoryProblem: sizing.memoryProblem,
  };
}

/** 2000 → "2,000". */
export function groupThousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "45 s", "1 min 50 s", "2 min": to 5 s below a minute, to 10 s above. */
export function roundedDuration(seconds: number): string {
  if (seconds < 57.5) return `${Math.max(5, Math.round(seconds / 5) * 5)} s`;
  const tens = Math.round(seconds / 10);
  const min = Math.floor(tens / 6);
  const sec = (tens % 6) * 10;
  return sec === 0 ? `${min} min` : `${min} min ${sec} s`;
}

function sizingSentence(
  lesson: Lesson,
  base: ExperimentConfig,
  s: Omit<LessonSizing, 'sentence'>,
): string {
  const { racers, teacher } = lessonConfigs(lesson, base, s.size);
  const model = displayModel(racers[0]!.config.model);
  const seeds = Math.max(1, base.repeats);
  const parts = [
    `${model} width ${s.size.width}, ${groupThousands(s.size.train_size)} images, ${s.size.epochs} epochs`,
    lesson.oneByOne ? `${racers.length} runs one after another` : `${racers.length} racers`,
  ];
  if (teacher) parts.push(`a ${displayModel(teacher.config.model)} teacher first`);
  if (seeds > 1) parts.push(`${seeds} seeds`);
  const where = s.measured ? ' on this GPU' : '';
  let sentence = `${parts.join(', ')}: ≈ ${roundedDuration(s.estimatedSeconds)}${where}`;
  if (!s.fits) {
    sentence += `, over the ${roundedDuration(s.budgetSeconds)} budget even at the smallest size`;
  }
  sentence += '.';
  if (s.memoryProblem) {
    sentence += ` Even at width ${s.size.width} the race cannot start. ${s.memoryProblem}`;
  }
  if (!s.measured) {
    sentence +=
      ' This sizing is a guess for a slow GPU until the page has measured this one (the benchmark, or the first steps of a run).';
  }
  return sentence;
}
