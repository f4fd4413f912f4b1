import { blockKindOf } from '../architecture/resnet-spec';
import { enforceConsistency } from '../config/consistency';
import { MODEL_NAMES, type ExperimentConfig, type ModelName } from '../config/params';
import { TRICKS_OFF } from '../config/presets';

/**
 * The paper's ablation sequences (Tables 4, 5, 6) scaled to the current config: model width,
 * input, dataset sizes, epochs and seed stay as the user set them; the rows change what the
 * paper's rows change. The mapping is documented in the README ("Sweeps").
 */

export type SweepTable = 'table4' | 'table5' | 'table6';

export interface SweepStep {
  /** The paper's row name. */
  label: string;
  config: ExperimentConfig;
  /** Distillation: the teacher is the run of this step (resolved to its run id at start). */
  teacherStep?: number;
  /** Part of the table (teachers are trained first but are not rows). */
  inTable: boolean;
}

export interface SweepPlan {
  table: SweepTable;
  title: string;
  steps: SweepStep[];
  /** How the sequence departs from the paper at this scale. */
  notes: string[];
}

const clean = (config: ExperimentConfig): ExperimentConfig => ({
  ...enforceConsistency({ ...config, autorun: false }).config,
});

/** Paper: 5 warmup epochs of 120; at least 1, always shorter than training. */
export function scaledWarmup(epochs: number): number {
  return Math.min(Math.max(1, Math.round((epochs * 5) / 120)), epochs - 1);
}

/** Table 4: batch 256 → 1024 (×4) with linear scaling, then warmup, zero γ, no bias decay. */
export function table4(current: ExperimentConfig): SweepPlan {
  const notes: string[] = [];
  const base: ExperimentConfig = { ...current, ...TRICKS_OFF };
  const b = base.batch;
  const big = Math.min(4 * b, base.train_size, 1024);
  if (big !== 4 * b) notes.push(`The large batch is ${big} (4 × ${b} does not fit the data).`);
  // The baseline trains at η = lr; ×(big/b) batch with linear scaling gives η = lr × big/b, as the
  // paper's 0.1 at 256 becomes 0.4 at 1024. The engine scales from 256, so lr is rescaled to 256/b.
  const scaledLr = Number(((base.lr * 256) / b).toPrecision(6));
  const large = { ...base, batch: big, linear_scaling: true, lr: scaledLr };
  const steps: SweepStep[] = [
    { label: `Baseline (batch ${b})`, config: clean(base), inTable: true },
    { label: `+ linear scaling (batch ${big})`, config: clean(large), inTable: true },
  ];
  const warmup = scaledWarmup(base.epochs);
  if (warmup >= 1) {
    steps.push({ label: '+ LR warmup', config: clean({ ...large, warmup }), inTable: true });
  } else {
    notes.push('Warmup needs at least 2 epochs; the warmup row is skipped.');
  }
  const w = warmup >= 1 ? warmup : 0;
  steps.push({
    label: '+ Zero γ',
    config: clean({ ...large, warmup: w, zero_gamma: true }),
    inTable: true,
  });
  steps.push({
    label: '+ No bias decay',
    config: clean({ ...large, warmup: w, zero_gamma: true, no_bias_decay: true }),
    inTable: true,
  });
  notes.push('The paper’s last row (+ FP16) is not available: the engine trains in FP32.');
  return { table: 'table4', title: 'Table 4: efficient training, step by step', steps, notes };
}

/** The bottleneck model nearest to `model` (ResNet-B changes bottleneck blocks only). */
export function bottleneckModel(model: ModelName): ModelName {
  if (blockKindOf(model) === 'bottleneck') return model;
  return model === 'resnet34' ? 'resnet50' : 'resnet26';
}

/** Table 5: ResNet, -B, -C, -D, cumulative, everything else as set. */
export function table5(current: ExperimentConfig): SweepPlan {
  const model = bottleneckModel(current.model);
  const notes =
    model === current.model
      ? []
      : [
          `${current.model} has basic blocks, where ResNet-B changes nothing; the sweep uses ${model}.`,
        ];
  const base = { ...current, model, tweak_b: false, tweak_c: false, tweak_d: false };
  return {
    table: 'table5',
    title: 'Table 5: model tweaks',
    notes,
    steps: [
      { label: `${model}`, config: clean(base), inTable: true },
      { label: `${model}-B`, config: clean({ ...base, tweak_b: true }), inTable: true },
      {
        label: `${model}-C`,
        config: clean({ ...base, tweak_b: true, tweak_c: true }),
        inTable: true,
      },
      {
        label: `${model}-D`,
        config: clean({ ...base, tweak_b: true, tweak_c: true, tweak_d: true }),
        inTable: true,
      },
    ],
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

/** Table 6: ResNet-D efficient, + cosine, + label smoothing, ± distillation, ± mixup. */
export function table6(current: ExperimentConfig): SweepPlan {
  const base: ExperimentConfig = {
    ...current,
    tweak_b: true,
    tweak_c: true,
    tweak_d: true,
    cosine: false,
    label_smoothing: 0,
    mixup: 0,
    distill: '',
  };
  const teacher = teacherModel(base.model);
  const cosine = { ...base, cosine: true };
  const smoothing = { ...cosine, label_smoothing: 0.1 };
  const mixup = { ...smoothing, mixup: 0.2 };
  const notes = [
    `The teacher is ${teacher}-D with cosine decay, label smoothing and mixup (the paper: ResNet-152-D); it trains first and is not a row.`,
    'The paper trains the mixup rows for 200 instead of 120 epochs; here every row has the same epochs.',
  ];
  return {
    table: 'table6',
    title: 'Table 6: training refinements, stacked',
    notes,
    steps: [
      { label: 'Teacher', config: clean({ ...mixup, model: teacher }), inTable: false },
      { label: 'Efficient', config: clean(base), inTable: true },
      { label: '+ cosine decay', config: clean(cosine), inTable: true },
      { label: '+ label smoothing', config: clean(smoothing), inTable: true },
      {
        label: '+ distill w/o mixup',
        config: clean({ ...smoothing, temperature: 20 }),
        teacherStep: 0,
        inTable: true,
      },
      { label: '+ mixup w/o distill', config: clean(mixup), inTable: true },
      {
        label: '+ distill w/ mixup',
        config: clean({ ...mixup, temperature: 20 }),
        teacherStep: 0,
        inTable: true,
      },
    ],
  };
}

export const SWEEPS: Record<SweepTable, (config: ExperimentConfig) => SweepPlan> = {
  table4,
  table5,
  table6,
};
