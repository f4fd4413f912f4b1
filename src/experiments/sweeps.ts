import { blockKindOf } from '../architecture/resnet-spec';
import { enforceConsistency } from '../config/consistency';
import { MODEL_NAMES, PARAMS, type ExperimentConfig, type ModelName } from '../config/params';
import { TRICKS_OFF } from '../config/presets';
import { toQuery } from '../config/url-codec';

/**
 * The paper's ablation sequences (Tables 4, 5, 6) as the paper ran them, scaled to the current
 * config: model width, input, dataset sizes, epochs, lr (η at batch 256), weight decay,
 * augmentation and seed stay as the user set them; the rows set the tricks the paper's rows set.
 * Each row is trained `repeats` times with seeds seed, seed + 1, …: repeat k of every row has the
 * same seed, so rows can be compared seed by seed (a paired design). README: "Sweeps".
 */

export type SweepTable = 'table4' | 'table5' | 'table6';
export const SWEEP_TABLES: readonly SweepTable[] = ['table4', 'table5', 'table6'];

export interface SweepStep {
  /** The paper's row name. */
  label: string;
  config: ExperimentConfig;
  /** Distillation: the teacher is the run of this step (resolved to its run id at start). */
  teacherStep?: number;
  /** Part of the table (teachers are trained first but are not rows). */
  inTable: boolean;
  /** 0-based repeat; its seed is `config.seed`. */
  repeat: number;
  /** Table 4's column ("batch 64"); null where the table has one column. */
  column: string | null;
}

export interface SweepPlan {
  /** Null: repeats of one setting (Train with repeats > 1), not a paper table. */
  table: SweepTable | null;
  title: string;
  steps: SweepStep[];
  /** How the sequence departs from the paper at this scale. */
  notes: string[];
}

export interface SweepOptions {
  /**
   * §5.5: mixup rows (and the mixup teacher) train 200/120 as many epochs, since mixed examples
   * converge later. Costs 67% more time on those rows. Default on.
   */
  longMixup?: boolean;
  /**
   * FP16 is part of the §3 setting; false where the backend cannot train in FP16 (WebGL, CPU), so
   * the rows run in FP32 and the notes say so. Default on.
   */
  fp16?: boolean;
}

/** The paper trains mixup for 200 epochs where the other rows train for 120. */
export const MIXUP_EPOCH_RATIO = 200 / 120;

/** One row of a table, one repeat: before repeats are expanded. */
type Row = Omit<SweepStep, 'repeat'>;

const clean = (config: ExperimentConfig): ExperimentConfig => ({
  ...enforceConsistency({ ...config, autorun: false, repeats: 1, distill: '' }).config,
});

/** Paper: 5 warmup epochs of 120; at least 1, always shorter than training. */
export function scaledWarmup(epochs: number): number {
  return Math.min(Math.max(1, Math.round((epochs * 5) / 120)), epochs - 1);
}

/** Epochs of a mixup row: ×200/120, within the parameter's range. */
export function mixupEpochs(epochs: number): number {
  return Math.min(PARAMS.epochs.max, Math.max(epochs + 1, Math.round(epochs * MIXUP_EPOCH_RATIO)));
}

function resolved(options: SweepOptions): Required<SweepOptions> {
  return { longMixup: options.longMixup ?? true, fp16: options.fp16 ?? true };
}

const FP32_NOTE = 'This backend cannot train in FP16: every row trains in FP32.';

/**
 * §3's efficient setting at the config's batch: linear scaling, warmup, zero γ, no bias decay,
 * FP16. Warmup needs at least 2 epochs (it must end before training does).
 */
function efficient(config: ExperimentConfig, fp16: boolean): ExperimentConfig {
  return {
    ...config,
    ...TRICKS_OFF,
    linear_scaling: true,
    warmup: scaledWarmup(config.epochs),
    zero_gamma: true,
    no_bias_decay: true,
    fp16,
  };
}

/**
 * Table 4: each §3 heuristic stacked at batch b with η = lr (the paper's 256 with 0.1), and at 4b
 * with linear scaling (the paper's 1024 with 0.4). Rows are named by heuristic; the two columns
 * are told apart by `column` (and the comparison table's Batch column).
 */
export function table4(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const { fp16 } = resolved(options);
  const notes: string[] = [];
  const base: ExperimentConfig = { ...current, ...TRICKS_OFF };
  const b = base.batch;
  const big = Math.min(4 * b, base.train_size, PARAMS.batch.max);
  if (big !== 4 * b) notes.push(`The large batch is ${big} (4 × ${b} does not fit the data).`);
  // Linear scaling multiplies lr by batch/256; lr × 256/b makes η = lr × big/b, so the ratio of
  // the two columns' rates is the ratio of their batches, as 0.1 → 0.4 in the paper.
  const scaledLr = Number(((base.lr * 256) / b).toPrecision(6));
  const warmup = scaledWarmup(base.epochs);
  if (warmup < 1) notes.push('Warmup needs at least 2 epochs; the warmup row is skipped.');
  if (!fp16) notes.push('This backend cannot train in FP16: the + FP16 row is skipped.');
  const heuristics: [string, Partial<ExperimentConfig>][] = [
    ['Linear scaling', {}],
    ...(warmup >= 1 ? [['+ LR warmup', { warmup }] as [string, Partial<ExperimentConfig>]] : []),
    ['+ Zero γ', { zero_gamma: true }],
    ['+ No bias decay', { no_bias_decay: true }],
    ...(fp16 ? [['+ FP16', { fp16: true }] as [string, Partial<ExperimentConfig>]] : []),
  ];
  const columns: [string, ExperimentConfig][] = [
    [`batch ${b}`, { ...base, batch: b, linear_scaling: false }],
    [`batch ${big}`, { ...base, batch: big, linear_scaling: true, lr: scaledLr }],
  ];
  const steps: Row[] = [];
  for (const [column, start] of columns) {
    let config = start;
    for (const [label, change] of heuristics) {
      config = { ...config, ...change };
      steps.push({ label, config: clean(config), inTable: true, column });
    }
  }
  return {
    table: 'table4',
    title: `Table 4: efficient training, batch ${b} and ${big}`,
    steps: steps.map((s) => ({ ...s, repeat: 0 })),
    notes,
  };
}

/** The bottleneck model nearest to `model` (ResNet-B changes bottleneck blocks only). */
export function bottleneckModel(model: ModelName): ModelName {
  if (blockKindOf(model) === 'bottleneck') return model;
  return model === 'resnet34' ? 'resnet50' : 'resnet26';
}

/** Table 5: ResNet, -B, -C, -D, cumulative, each with §3's efficient setting. */
export function table5(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const { fp16 } = resolved(options);
  const model = bottleneckModel(current.model);
  const notes: string[] = [];
  if (model !== current.model) {
    notes.push(
      `${current.model} has basic blocks, where ResNet-B changes nothing; the sweep uses ${model}.`,
    );
  }
  if (!fp16) notes.push(FP32_NOTE);
  const base = { ...efficient(current, fp16), model };
  const rows: [string, Partial<ExperimentConfig>][] = [
    [model, {}],
    [`${model}-B`, { tweak_b: true }],
    [`${model}-C`, { tweak_b: true, tweak_c: true }],
    [`${model}-D`, { tweak_b: true, tweak_c: true, tweak_d: true }],
  ];
  return {
    table: 'table5',
    title: 'Table 5: model tweaks (efficient setting)',
    notes,
    steps: rows.map(([label, change]) => ({
      label,
      config: clean({ ...base, ...change }),
      inTable: true,
      repeat: 0,
      column: null,
    })),
  };
}

/** A deeper model with the same block kind (the paper distills ResNet-50-D from ResNet-152-D). */
export function teacherModel(model: ModelName): ModelName {
  const kind = blockKindOf(model);
  const deeper = MODEL_NAMES.slice(MODEL_NAMES.indexOf(model) + 1).find(
    (m) => blockKindOf(m) === kind,
  );
  return deeper ?? model;
}

/**
 * Table 6: ResNet-D with the efficient setting, + cosine, + label smoothing, then distillation
 * (teacher with cosine and label smoothing) and mixup; the distill-with-mixup row's teacher is
 * trained with mixup too (§5.5). Teachers train first and are not rows.
 */
export function table6(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const { fp16, longMixup } = resolved(options);
  const base: ExperimentConfig = {
    ...efficient(current, fp16),
    tweak_b: true,
    tweak_c: true,
    tweak_d: true,
  };
  const teacher = teacherModel(base.model);
  const cosine = { ...base, cosine: true };
  const smoothing = { ...cosine, label_smoothing: 0.1 };
  const epochs = longMixup ? mixupEpochs(base.epochs) : base.epochs;
  // Warmup stays the base rows' (the paper's 5 epochs whether it trains 120 or 200).
  const mixup = { ...smoothing, mixup: 0.2, epochs };
  const distill = { temperature: 20 };
  const notes = [
    `The teachers are ${teacher}-D (the paper: ResNet-152-D): one with cosine decay and label smoothing, one also with mixup for the “distill w/ mixup” row. They train first and are not rows.`,
    longMixup
      ? `Mixup rows and their teacher train ${epochs} epochs instead of ${base.epochs} (the paper: 200 instead of 120).`
      : 'Every row trains the same epochs (the paper trains the mixup rows 200 instead of 120).',
  ];
  if (!fp16) notes.push(FP32_NOTE);
  const teacherOf = (label: string) => `Teacher ${teacher}-D: ${label}`;
  const rows: Row[] = [
    {
      label: teacherOf('cosine + label smoothing'),
      config: clean({ ...smoothing, model: teacher }),
      inTable: false,
      column: null,
    },
    {
      label: teacherOf('cosine + label smoothing + mixup'),
      config: clean({ ...mixup, model: teacher }),
      inTable: false,
      column: null,
    },
    { label: 'Efficient', config: clean(base), inTable: true, column: null },
    { label: '+ cosine decay', config: clean(cosine), inTable: true, column: null },
    { label: '+ label smoothing', config: clean(smoothing), inTable: true, column: null },
    {
      label: '+ distill w/o mixup',
      config: clean({ ...smoothing, ...distill }),
      teacherStep: 0,
      inTable: true,
      column: null,
    },
    { label: '+ mixup w/o distill', config: clean(mixup), inTable: true, column: null },
    {
      label: '+ distill w/ mixup',
      config: clean({ ...mixup, ...distill }),
      teacherStep: 1,
      inTable: true,
      column: null,
    },
  ];
  return {
    table: 'table6',
    title: 'Table 6: training refinements, stacked',
    notes,
    steps: rows.map((s) => ({ ...s, repeat: 0 })),
  };
}

export const SWEEPS: Record<
  SweepTable,
  (config: ExperimentConfig, options?: SweepOptions) => SweepPlan
> = {
  table4,
  table5,
  table6,
};

/** Seed of repeat k: seed + k, wrapping past the largest seed so every repeat has its own. */
export function repeatSeed(seed: number, repeat: number): number {
  const span = PARAMS.seed.max + 1;
  return (seed + repeat) % span;
}

/**
 * The plan's rows `repeats` times, repeat by repeat (a whole table of seed s, then of s + 1, so
 * the table has every row early); each repeat's students distill from that repeat's teacher.
 */
export function withRepeats(plan: SweepPlan, repeats: number, seed: number): SweepPlan {
  const once = plan.steps.filter((s) => s.repeat === 0);
  const steps: SweepStep[] = [];
  for (let k = 0; k < Math.max(1, repeats); k++) {
    const offset = k * once.length;
    for (const step of once) {
      steps.push({
        ...step,
        config: { ...step.config, seed: repeatSeed(seed, k) },
        repeat: k,
        ...(step.teacherStep === undefined ? {} : { teacherStep: offset + step.teacherStep }),
      });
    }
  }
  return { ...plan, steps };
}

/** The table's rows for the config, each repeated `config.repeats` times. */
export function sweepPlan(
  table: SweepTable,
  config: ExperimentConfig,
  options: SweepOptions = {},
): SweepPlan {
  return withRepeats(SWEEPS[table](config, options), config.repeats, config.seed);
}

/** Train with repeats > 1: the current settings `config.repeats` times, seed by seed. */
export function repeatsPlan(config: ExperimentConfig): SweepPlan {
  const { distill } = config;
  const step: SweepStep = {
    label: 'Current settings',
    config: { ...clean(config), distill },
    inTable: true,
    repeat: 0,
    column: null,
  };
  const plan: SweepPlan = {
    table: null,
    title: `The current settings with ${config.repeats} seeds`,
    steps: [step],
    notes: [],
  };
  return withRepeats(plan, config.repeats, config.seed);
}

export interface SweepRow {
  /** The paper's row name (teachers: "Teacher …"). Repeats of a row share it. */
  label: string;
  /** Table 4's column ("batch 64"), else null. */
  column: string | null;
  /** The row's settings as a URL query (config/url-codec), seed included; no `distill`. */
  query: string;
  seed: number;
  repeat: number;
  /** The label of the row, in the same repeat, whose run is this row's teacher; null if none. */
  teacher: string | null;
  /** A row of the table (false for teachers, which train first). */
  inTable: boolean;
}

/**
 * The runs of a table for a config, in training order, for the page and the CLI alike. A runner
 * trains them in order and, for a row with a teacher, sets `distill` to the run of the row with
 * that label and the same repeat.
 */
export function sweepRows(
  table: SweepTable,
  config: ExperimentConfig,
  options: SweepOptions = {},
): { title: string; notes: string[]; rows: SweepRow[] } {
  const plan = sweepPlan(table, config, options);
  return {
    title: plan.title,
    notes: plan.notes,
    rows: plan.steps.map((step) => ({
      label: step.label,
      column: step.column,
      query: toQuery(step.config),
      seed: step.config.seed,
      repeat: step.repeat,
      teacher: step.teacherStep === undefined ? null : plan.steps[step.teacherStep]!.label,
      inTable: step.inTable,
    })),
  };
}
