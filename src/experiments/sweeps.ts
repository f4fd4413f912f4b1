import { blockKindOf } from '../architecture/resnet-spec';
import { enforceConsistency } from '../config/consistency';
import { MODEL_NAMES, PARAMS, type ExperimentConfig, type ModelName } from '../config/params';
import { TRICKS_OFF } from '../config/presets';
import { toQuery } from '../config/url-codec';
import { peakLearningRate } from '../tricks/lr-schedule';

/**
 * The paper's ablation sequences (Tables 4, 5, 6) as the paper ran them, scaled to the current
 * config: model width, input, dataset sizes, epochs, weight decay, augmentation and seed stay as
 * the user set them; the rows set the tricks the paper's rows set. The page's batch b and lr are
 * Table 4's small column (the paper's 256 and 0.1); its large column (4b, the paper's 1024) ends
 * in the efficient setting that Tables 5 and 6 start from.
 * Each row is trained `repeats` times with seeds seed, seed + 1, …: repeat k of every row has the
 * same seed, so rows can be compared seed by seed (a paired design). README: "Sweeps".
 */

export type SweepTable = 'table4' | 'table5' | 'table6' | 'table7' | 'table9';
export const SWEEP_TABLES: readonly SweepTable[] = [
  'table4',
  'table5',
  'table6',
  'table7',
  'table9',
];

export interface SweepStep {
  /** The paper's row name. */
  label: string;
  config: ExperimentConfig;
  /**
   * Distillation: the teacher is the run of this step (resolved to its run id at start): of the
   * same repeat, or of repeat 0 with shared teachers.
   */
  teacherStep?: number;
  /**
   * Transfer (Table 9): the backbone is the run of this step (resolved to its run id at start),
   * always of the same repeat.
   */
  backboneStep?: number;
  /** Part of the table (teachers and backbones are trained first but are not rows). */
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
  /**
   * Table 6: every repeat distills from repeat 0's teachers (the paper used one pretrained
   * teacher); repeats > 0 train no teachers, which saves two teacher runs per repeat but ties
   * every repeat's distilled rows to one teacher's luck. Default off: each repeat trains its own.
   */
  sharedTeachers?: boolean;
  /**
   * Training images of the loaded dataset; null or absent: the synthetic dataset's `train_size`.
   * Caps Table 4's large batch (and so the efficient setting's batch).
   */
  trainCount?: number | null;
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
  return {
    longMixup: options.longMixup ?? true,
    fp16: options.fp16 ?? true,
    sharedTeachers: options.sharedTeachers ?? false,
    trainCount: options.trainCount ?? null,
  };
}

const FP32_NOTE = 'This backend cannot train in FP16: every row trains in FP32.';

type Change = [label: string, change: Partial<ExperimentConfig>];

/**
 * Table 4's large-batch column before its heuristics: batch 4b (the paper's 1024 for 256) with
 * linear scaling, capped by the training images and the largest batch. Linear
 * scaling multiplies lr by batch/256; lr × 256/b makes η = lr × big/b, so the ratio of the two
 * columns' rates is the ratio of their batches, as 0.1 → 0.4 in the paper.
 */
function largeBatchStart(
  current: ExperimentConfig,
  options: SweepOptions,
): { config: ExperimentConfig; note: string | null } {
  const { trainCount } = resolved(options);
  const b = current.batch;
  const images = trainCount ?? current.train_size;
  const big = Math.min(4 * b, images, PARAMS.batch.max);
  const lr = Number(((current.lr * 256) / b).toPrecision(6));
  let note: string | null = null;
  if (big !== 4 * b) {
    const cause =
      images <= PARAMS.batch.max
        ? trainCount !== null
          ? `the loaded dataset has ${images} training images`
          : `the synthetic dataset has ${images} training images (train_size)`
        : `the playground trains batches of at most ${PARAMS.batch.max}`;
    note = `The large batch is ${big}, not 4 × ${b} = ${4 * b}: ${cause}.`;
  }
  return {
    config: { ...current, ...TRICKS_OFF, batch: big, linear_scaling: true, lr },
    note,
  };
}

/** §3's heuristics in Table 4's order, each added to the row above it. */
function heuristics(epochs: number, fp16: boolean): Change[] {
  const warmup = scaledWarmup(epochs);
  return [
    ['Linear scaling', {}],
    ...(warmup >= 1 ? [['+ LR warmup', { warmup }] as Change] : []),
    ['+ Zero γ', { zero_gamma: true }],
    ['+ No bias decay', { no_bias_decay: true }],
    ...(fp16 ? [['+ FP16', { fp16: true }] as Change] : []),
  ];
}

const stacked = (start: ExperimentConfig, changes: readonly Change[]): ExperimentConfig =>
  changes.reduce((config, [, change]) => ({ ...config, ...change }), start);

/**
 * §3's efficient setting, defined once: Table 4's large-batch column after its last row (linear
 * scaling, warmup, zero γ, no bias decay, FP16 at batch 4b). In the paper one run is Table 3's
 * "Efficient", Table 4's "+ FP16" at 1024 and Table 5's ResNet-50, and Table 6's baselines "are
 * obtained from Section 3"; Tables 5 and 6 start from this. The notes say what differs from the
 * paper's batch 1024 with η = 0.4.
 */
export function efficientSetting(
  current: ExperimentConfig,
  options: SweepOptions = {},
): { config: ExperimentConfig; notes: string[] } {
  const { fp16 } = resolved(options);
  const start = largeBatchStart(current, options);
  const config = stacked(start.config, heuristics(current.epochs, fp16));
  const eta = Number(peakLearningRate(config).toPrecision(6));
  const tricks = [
    ...(config.warmup > 0 ? ['warmup'] : []),
    'zero γ',
    'no bias decay',
    ...(fp16 ? ['FP16'] : []),
  ];
  const notes = [
    `Every row builds on §3's efficient setting, Table 4's last row at its large batch: batch ${config.batch}, η = ${eta}, linear scaling, ${tricks.join(', ')} (the paper: batch 1024, η = 0.4).`,
  ];
  if (start.note) notes.push(start.note);
  if (!fp16) notes.push(FP32_NOTE);
  return { config, notes };
}

/**
 * Table 4: each §3 heuristic stacked at batch b with η = lr (the paper's 256 with 0.1), and at 4b
 * with linear scaling (the paper's 1024 with 0.4). Rows are named by heuristic; the two columns
 * are told apart by `column` (and the comparison table's Batch column). The large column's last
 * row is `efficientSetting`.
 */
export function table4(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const { fp16 } = resolved(options);
  const notes: string[] = [];
  const small: ExperimentConfig = { ...current, ...TRICKS_OFF };
  const large = largeBatchStart(current, options);
  const b = small.batch;
  const big = large.config.batch;
  if (large.note) notes.push(large.note);
  const rows = heuristics(current.epochs, fp16);
  if (!rows.some(([label]) => label === '+ LR warmup')) {
    notes.push('Warmup needs at least 2 epochs; the warmup row is skipped.');
  }
  if (!fp16) notes.push('This backend cannot train in FP16: the + FP16 row is skipped.');
  const columns: [string, ExperimentConfig][] = [
    [`batch ${b}`, small],
    [`batch ${big}`, large.config],
  ];
  const steps: Row[] = [];
  for (const [column, start] of columns) {
    rows.forEach(([label], i) => {
      const config = stacked(start, rows.slice(0, i + 1));
      steps.push({ label, config: clean(config), inTable: true, column });
    });
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

/** Why a sweep trains `model` where the page holds `current`: none if they are the same. */
function bottleneckNote(current: ModelName, model: ModelName, paper: string): string[] {
  if (model === current) return [];
  return [
    `${current} has basic blocks, where ResNet-B changes nothing (the paper: ${paper}); the sweep uses ${model}.`,
  ];
}

/** Table 5: ResNet, -B, -C, -D, cumulative, each with §3's efficient setting. */
export function table5(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const model = bottleneckModel(current.model);
  const efficient = efficientSetting(current, options);
  const notes = [...bottleneckNote(current.model, model, 'ResNet-50'), ...efficient.notes];
  const base = { ...efficient.config, model };
  const rows: Change[] = [
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

/**
 * The deepest model with the same block kind: the paper distills ResNet-50-D from ResNet-152-D,
 * the deepest ResNet it trains. Every run of it costs about three of a ResNet-50.
 */
export function teacherModel(model: ModelName): ModelName {
  const kind = blockKindOf(model);
  return MODEL_NAMES.filter((m) => blockKindOf(m) === kind).at(-1)!;
}

/**
 * The start of Tables 6 and 7: ResNet-D on the bottleneck model nearest the page's (the paper's
 * ResNet-50-D) with the efficient setting, and the notes on both choices.
 */
function efficientResNetD(
  current: ExperimentConfig,
  options: SweepOptions,
): { model: ModelName; base: ExperimentConfig; notes: string[] } {
  const model = bottleneckModel(current.model);
  const efficient = efficientSetting(current, options);
  return {
    model,
    base: { ...efficient.config, model, tweak_b: true, tweak_c: true, tweak_d: true },
    notes: [...bottleneckNote(current.model, model, 'ResNet-50-D'), ...efficient.notes],
  };
}

/**
 * Table 6: ResNet-D (bottleneck, as Table 5) with the efficient setting, + cosine, + label
 * smoothing, then distillation (teacher with cosine and label smoothing) and mixup; the
 * distill-with-mixup row's teacher is trained with mixup too (§5.5). Teachers train first and
 * are not rows.
 */
export function table6(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const { longMixup } = resolved(options);
  const { model, base, notes: startNotes } = efficientResNetD(current, options);
  const teacher = teacherModel(model);
  const cosine = { ...base, cosine: true };
  const smoothing = { ...cosine, label_smoothing: 0.1 };
  const epochs = longMixup ? mixupEpochs(base.epochs) : base.epochs;
  // Warmup stays the base rows' (the paper's 5 epochs whether it trains 120 or 200).
  const mixup = { ...smoothing, mixup: 0.2, epochs };
  const distill = { temperature: 20 };
  const notes = [
    ...startNotes,
    `The teachers are ${teacher}-D (the paper: ResNet-152-D): one with cosine decay and label smoothing, one also with mixup for the “distill w/ mixup” row. They train first and are not rows.`,
    ...(teacher === model
      ? [
          `The student ${model}-D is already the deepest model: its teacher is no larger than the student (the paper's teacher is three times as deep).`,
        ]
      : []),
    longMixup
      ? `Mixup rows and their teacher train ${epochs} epochs instead of ${base.epochs} (the paper: 200 instead of 120).`
      : 'Every row trains the same epochs (the paper trains the mixup rows 200 instead of 120).',
  ];
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

/**
 * Table 7 (§5.5, on MIT Places365 in the paper): do the refinements carry over to another
 * dataset? ResNet-D (bottleneck, as Table 6) with the efficient setting, against the same with
 * cosine decay, label smoothing and mixup ("ResNet-50-D Best"), trained from scratch on the
 * page's dataset; top-1 and top-5 side by side in the comparison table.
 */
export function table7(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  const { longMixup } = resolved(options);
  const { model, base, notes: startNotes } = efficientResNetD(current, options);
  const epochs = longMixup ? mixupEpochs(base.epochs) : base.epochs;
  const best = { ...base, cosine: true, label_smoothing: 0.1, mixup: 0.2, epochs };
  const notes = [
    ...startNotes,
    current.dataset === 'synthetic'
      ? 'The paper trains on MIT Places365; this sweep trains on the built-in synthetic shapes. Load another dataset (CIFAR-100, Imagenette, a Hub dataset…) in the Data section for a second dataset.'
      : `The paper trains on MIT Places365; this sweep trains on the loaded ${current.dataset === 'hub' ? current.hub : current.dataset} dataset.`,
    longMixup
      ? `The Best row (with mixup) trains ${epochs} epochs instead of ${base.epochs}, as Table 6's mixup rows.`
      : 'Both rows train the same epochs.',
  ];
  return {
    table: 'table7',
    title: 'Table 7: the refinements on another dataset',
    notes,
    steps: [
      {
        label: `${model}-D Efficient`,
        config: clean(base),
        inTable: true,
        repeat: 0,
        column: null,
      },
      {
        label: `${model}-D Best (+ cosine + label smoothing + mixup)`,
        config: clean(best),
        inTable: true,
        repeat: 0,
        column: null,
      },
    ],
  };
}

/** Table 9's names of Table 6's rows (its backbones). */
const TABLE9_NAMES: Record<string, string> = {
  Efficient: 'D-efficient',
  '+ cosine decay': '+ cosine',
  '+ label smoothing': '+ smooth',
  '+ distill w/o mixup': '+ distill w/o mixup',
  '+ mixup w/o distill': '+ mixup w/o distill',
  '+ distill w/ mixup': '+ mixup w/ distill',
};

/** The keys that make a network (the FCN must match its backbone's). */
const ARCHITECTURE_KEYS = [
  'model',
  'width',
  'input',
  'stem',
  'tweak_b',
  'tweak_c',
  'tweak_d',
] as const satisfies readonly (keyof ExperimentConfig)[];

/**
 * Table 9 (§6.2): does a better classifier make a better segmenter? Table 6's backbones, with
 * "B-standard" (ResNet-B, Table 4's baseline without any heuristic) before them, each then the
 * backbone of an FCN fine-tuned on the synthetic scenes. The FCNs train alike, whatever their
 * backbone: §3's efficient setting and nothing of §5, which the paper applies to the backbones
 * only. The table's rows are the FCNs (pixel accuracy and mIoU), each beside its backbone's top-1.
 */
export function table9(current: ExperimentConfig, options: SweepOptions = {}): SweepPlan {
  // The backbones classify, from scratch, whatever the page holds.
  const classify = { ...current, task: 'classify', backbone: '' } as const;
  const six = table6(classify, options);
  const { base } = efficientResNetD(classify, options);
  const standard: Row = {
    label: 'B-standard',
    config: clean({ ...classify, ...TRICKS_OFF, model: base.model, tweak_b: true }),
    inTable: false,
    column: null,
  };
  const teachers = six.steps.filter((s) => !s.inTable);
  const backbones: Row[] = [
    standard,
    ...six.steps
      .filter((s) => s.inTable)
      .map((s) => ({ ...s, label: TABLE9_NAMES[s.label] ?? s.label, inTable: false })),
  ];
  // Teachers first (their indices are Table 6's), then the backbones, then one FCN each.
  const backboneIndex = (i: number) => teachers.length + i;
  const fcnOf = (backbone: ExperimentConfig): ExperimentConfig => {
    const architecture = Object.fromEntries(ARCHITECTURE_KEYS.map((k) => [k, backbone[k]]));
    return clean({
      ...base,
      ...architecture,
      dataset: 'synthetic',
      source: PARAMS.source.default,
      hub: PARAMS.hub.default,
      task: 'segment',
      transfer: 'finetune',
    });
  };
  const fcns: SweepStep[] = backbones.map((b, i) => ({
    label: b.label,
    config: fcnOf(b.config),
    backboneStep: backboneIndex(i),
    inTable: true,
    repeat: 0,
    column: 'FCN',
  }));
  const notes = [
    ...six.notes,
    'B-standard is ResNet-B with none of §3’s heuristics at the page’s batch and learning rate (Table 4’s baseline).',
    `Each backbone then starts an FCN (§6.2: stages 3–4 dilated, a fully convolutional head) on the built-in synthetic scenes, fine-tuned with its backbone at ${base.backbone_lr} × the learning rate; the FCNs all train with the efficient setting and none of the refinements, which the paper applies to the backbones only.`,
    'The paper (ADE20K): cosine decay improves pixel accuracy and mIoU; label smoothing, distillation and mixup lower them although they raise top-1 (“soften labels, blurred pixel-level information”).',
  ];
  return {
    table: 'table9',
    title: 'Table 9: backbones of Table 6 as FCN backbones (semantic segmentation)',
    notes,
    steps: [...teachers, ...backbones.map((b) => ({ ...b, repeat: 0 })), ...fcns],
  };
}

export const SWEEPS: Record<
  SweepTable,
  (config: ExperimentConfig, options?: SweepOptions) => SweepPlan
> = {
  table4,
  table5,
  table6,
  table7,
  table9,
};

/** Seed of repeat k: seed + k, wrapping past the largest seed so every repeat has its own. */
export function repeatSeed(seed: number, repeat: number): number {
  const span = PARAMS.seed.max + 1;
  return (seed + repeat) % span;
}

/**
 * The plan's rows `repeats` times, repeat by repeat (a whole table of seed s, then of s + 1, so
 * the table has every row early). Each repeat's students distill from that repeat's teachers; with
 * `sharedTeachers`, repeats > 0 train no teachers and distill from repeat 0's.
 */
export function withRepeats(
  plan: SweepPlan,
  repeats: number,
  seed: number,
  sharedTeachers = false,
): SweepPlan {
  const once = plan.steps.filter((s) => s.repeat === 0);
  const teachers = new Set(
    once.flatMap((s) => (s.teacherStep === undefined ? [] : [s.teacherStep])),
  );
  const count = Math.max(1, repeats);
  const steps: SweepStep[] = [];
  // Index in `steps` of each step of `once`, for repeat 0 and for the repeat being expanded.
  const first = new Map<number, number>();
  for (let k = 0; k < count; k++) {
    const own = k === 0 ? first : new Map<number, number>();
    const teacherOf = sharedTeachers ? first : own;
    once.forEach((step, i) => {
      if (k > 0 && sharedTeachers && teachers.has(i)) return;
      own.set(i, steps.length);
      steps.push({
        ...step,
        config: { ...step.config, seed: repeatSeed(seed, k) },
        repeat: k,
        ...(step.teacherStep === undefined
          ? {}
          : { teacherStep: teacherOf.get(step.teacherStep)! }),
        ...(step.backboneStep === undefined ? {} : { backboneStep: own.get(step.backboneStep)! }),
      });
    });
  }
  const notes = [...plan.notes];
  if (teachers.size > 0 && count > 1) {
    notes.push(
      sharedTeachers
        ? `Shared teachers: every seed's distilled rows learn from the teachers trained with seed ${seed}, as the paper used one pretrained teacher; the other ${count - 1} seed${count > 2 ? 's train' : ' trains'} no teachers.`
        : `Each seed trains its own ${teachers.size} teacher${teachers.size > 1 ? 's' : ''} (${teachers.size * count} teacher runs in all).`,
    );
  }
  return { ...plan, steps, notes };
}

/** The table's rows for the config, each repeated `config.repeats` times. */
export function sweepPlan(
  table: SweepTable,
  config: ExperimentConfig,
  options: SweepOptions = {},
): SweepPlan {
  const { sharedTeachers } = resolved(options);
  return withRepeats(SWEEPS[table](config, options), config.repeats, config.seed, sharedTeachers);
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
  /** The label of the row whose run is this row's teacher; null if none. */
  teacher: string | null;
  /**
   * With a teacher: the repeat of the teacher's row, this row's own, or 0 with shared teachers.
   */
  teacherRepeat?: number;
  /**
   * Transfer (Table 9): the index in the rows of the row whose run is this row's backbone (of the
   * same repeat, earlier); absent if none. A runner sets `backbone` to that run.
   */
  backboneRow?: number;
  /** A row of the table (false for teachers and backbones, which train first). */
  inTable: boolean;
}

/**
 * The runs of a table for a config, in training order, for the page and the CLI alike. A runner
 * trains them in order and, for a row with a teacher, sets `distill` to the run of the row with
 * that label and repeat `teacherRepeat`; for a row with a backbone, `backbone` to the run of row
 * `backboneRow`.
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
      ...(step.teacherStep === undefined
        ? {}
        : { teacherRepeat: plan.steps[step.teacherStep]!.repeat }),
      ...(step.backboneStep === undefined ? {} : { backboneRow: step.backboneStep }),
      inTable: step.inTable,
    })),
  };
}
