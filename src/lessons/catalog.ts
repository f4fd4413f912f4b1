import type { ExperimentConfig } from '../config/params';

/**
 * One guided lesson per idea of the paper: what the paper says, which configurations race, what
 * to look for and which measured quantity decides. Pure data; `plan.ts` turns a lesson into
 * runnable configs, `sizing.ts` fits them to the GPU, `outcome.ts` reads the finished race.
 * Numbers quoted here are the paper's (ImageNet, ResNet-50 or -50-D); the races run a small
 * ResNet on the synthetic dataset, so they can show a direction, not reproduce a value.
 */

export const LESSON_IDS = [
  'linear-scaling',
  'zero-gamma',
  'fp16',
  'resnet-d',
  'cosine',
  'label-smoothing',
  'distillation',
  'mixup',
] as const;
export type LessonId = (typeof LESSON_IDS)[number];

/** What a lesson's outcome is measured in. */
export type LessonMetric = 'top1' | 'logitGap' | 'secondsPerEpoch' | 'params' | 'macs';

/** The paper's direction for `racer` against `against`; 'same': no change reported. */
export type Direction = 'higher' | 'lower' | 'same';

/** One comparison the paper reports, between two racers of the lesson. */
export interface PaperClaim {
  /** Index of the racer with the change, and of the racer it is compared with. */
  racer: number;
  against: number;
  metric: LessonMetric;
  direction: Direction;
  /** Where the paper reports it: "Table 6", "Fig. 4b". */
  source: string;
  /** The paper's figures, e.g. "+0.47 (77.26 → 77.73)". */
  paper: string;
}

export interface LessonRacerSpec {
  label: string;
  /** Settings over the lesson's common settings. */
  overrides: Partial<ExperimentConfig>;
  /** Distills from the plan's teacher: the page sets `distill` to the teacher's run id. */
  usesTeacher?: boolean;
}

export interface TeacherSpec {
  label: string;
  /** Settings over the lesson's common settings; the model is the deepest of its block kind. */
  overrides: Partial<ExperimentConfig>;
}

/**
 * Which ResNet the racers train: the user's, or the nearest bottleneck one (ResNet-B changes only
 * bottleneck blocks, so on a basic-block model it would race two identical networks).
 */
export type ModelRule = 'as-set' | 'bottleneck';

export interface Lesson {
  id: LessonId;
  title: string;
  /** The paper's section, e.g. "§5.1". */
  section: string;
  /** Two to four sentences, after the paper. */
  text: string;
  /** The paper's figure or table, its direction and figures, and what to watch in the charts. */
  lookFor: string;
  /** The measured quantity that decides the outcome, in words. */
  decidedBy: string;
  model: ModelRule;
  /** Settings every racer (and the teacher) shares, over the lesson scale and tricks off. */
  common: Partial<ExperimentConfig>;
  racers: LessonRacerSpec[];
  /** Trained once before the race; racers with `usesTeacher` distill from it. */
  teacher?: TeacherSpec;
  /** The first claim decides the headline; the others are reported beside it. */
  claims: PaperClaim[];
  /** Epochs the sizing aims for, and the fewest it may cut to before exceeding the budget. */
  epochs: number;
  minEpochs: number;
  /** Needs a backend that trains in FP16 (WebGPU). */
  needsFp16?: boolean;
  /**
   * Train the racers one after another instead of racing them: racers of a race take turns and
   * end together, so their times per epoch are the race's, not their own.
   */
  oneByOne?: boolean;
  /** How the race departs from the paper's setting. */
  notes: string[];
}

/**
 * §3's efficient setting at the lesson's batch (η = 0.1 × b/256, warmup, zero γ, no bias decay),
 * FP16 left off: Table 4 shows it leaves top-1 unchanged, and it needs WebGPU. Warmup is resized
 * with the epochs by the plan (the paper's 5 of 120, at least 1).
 */
const EFFICIENT = {
  linear_scaling: true,
  warmup: 1,
  zero_gamma: true,
  no_bias_decay: true,
} as const satisfies Partial<ExperimentConfig>;

/** Table 6 starts from ResNet-50-D: the three tweaks, cumulative. */
const RESNET_D = { tweak_b: true, tweak_c: true, tweak_d: true } as const;

const FP32_NOTE =
  'The paper ran this in FP16; the racers train in FP32 (Table 4: FP16 leaves top-1 unchanged), so the lesson runs on every backend.';

export const LESSONS: readonly Lesson[] = [
  {
    id: 'linear-scaling',
    title: 'Linear scaling and warmup',
    section: '§3.1',
    text:
      'A larger batch does not change the expected gradient but reduces its variance, so the learning rate can grow with it: η = 0.1 × b/256 (Goyal et al.). ' +
      'At the start the weights are random and a large rate can be unstable, so warmup raises the rate linearly from 0 to η over the first m batches (iη/m at batch i). ' +
      'Here a batch of 32 races a batch of 128 at 4× the rate, without and with warmup.',
    lookFor:
      'Table 4: at batch 1024, linear scaling alone ends 0.70 points top-1 below batch 256 (75.17 vs 75.87; the text says 0.9), and adding warmup brings it to 75.93 (+0.76). ' +
      'In the learning-rate chart the warmup racer ramps up from 0; the large batch takes 4× fewer steps per epoch.',
    decidedBy: 'final top-1 of the large batch with warmup against without',
    model: 'as-set',
    common: { linear_scaling: true, lr: 0.1 },
    racers: [
      { label: 'Batch 32, η = 0.0125', overrides: { batch: 32 } },
      { label: 'Batch 128, η = 0.05', overrides: { batch: 128 } },
      { label: 'Batch 128, η = 0.05 + warmup', overrides: { batch: 128, warmup: 1 } },
    ],
    claims: [
      {
        racer: 2,
        against: 1,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 4',
        paper: '+0.76 at batch 1024 (75.17 → 75.93)',
      },
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'lower',
        source: 'Table 4',
        paper: '−0.70 from batch 256 to 1024 without warmup (75.87 → 75.17)',
      },
    ],
    epochs: 8,
    minEpochs: 3,
    notes: ['The paper compares batch 256 and 1024; the race uses 32 and 128, the same ratio.'],
  },
  {
    id: 'zero-gamma',
    title: 'Zero γ and no bias decay',
    section: '§3.1',
    text:
      'A residual block outputs x + block(x); when its last layer is batch normalization γx̂ + β, zero γ initializes that γ to 0, so every block starts as the identity and the network first trains like a shallower one. ' +
      'No bias decay applies weight decay only to the weights of convolutions and fully-connected layers, leaving biases and BN’s γ and β unregularized (after Jia et al.).',
    lookFor:
      'Table 4 at batch 1024: + zero γ 75.93 → 76.37 top-1 (+0.44; +0.16 at batch 256). + no bias decay then reads 76.03 (−0.34; −0.03 at batch 256): the paper keeps it as the recommended guard against overfitting, not for a gain in its table. ' +
      'All racers use linear scaling and warmup, as Table 4 stacks them.',
    decidedBy: 'final top-1 of zero γ against without',
    model: 'as-set',
    common: { linear_scaling: true, warmup: 1 },
    racers: [
      { label: 'Linear scaling + warmup', overrides: {} },
      { label: '+ zero γ', overrides: { zero_gamma: true } },
      { label: '+ zero γ + no bias decay', overrides: { zero_gamma: true, no_bias_decay: true } },
    ],
    claims: [
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 4',
        paper: '+0.44 at batch 1024 (75.93 → 76.37), +0.16 at batch 256',
      },
      {
        racer: 2,
        against: 1,
        metric: 'top1',
        direction: 'lower',
        source: 'Table 4',
        paper: '−0.34 at batch 1024 (76.37 → 76.03), −0.03 at batch 256',
      },
    ],
    epochs: 8,
    minEpochs: 3,
    notes: [],
  },
  {
    id: 'fp16',
    title: 'FP16 mixed precision',
    section: '§3.2',
    text:
      'New hardware computes much faster in 16 bits than in 32 (a V100: 14 TFLOPS in FP32, over 100 in FP16). ' +
      'FP16’s narrow range makes values more likely to fall out of range, so the parameters keep an FP32 copy for the update and the loss is multiplied by a scale that moves the gradients into FP16’s range (Micikevicius et al.). ' +
      'On a V100 the switch made training 2 to 3 times faster.',
    lookFor:
      'Table 3: batch 1024 in FP16 trains ResNet-50 at 4.4 min per epoch against 13.3 min for batch 256 in FP32 (3×, the batch included); Table 4: FP16 leaves top-1 unchanged (−0.01 at batch 256, +0.18 at 1024). ' +
      'Both racers here use the same batch, so their time per epoch shows FP16 alone; they train one after another, since racers that take turns end together and share one time. The loss-scale chart shows the scaling at work.',
    decidedBy: 'time per epoch (top-1 should not move)',
    model: 'as-set',
    common: EFFICIENT,
    racers: [
      { label: 'FP32', overrides: { fp16: false } },
      { label: 'FP16', overrides: { fp16: true } },
    ],
    claims: [
      {
        racer: 1,
        against: 0,
        metric: 'secondsPerEpoch',
        direction: 'lower',
        source: '§3.2, Table 3',
        paper: '2–3× faster on a V100',
      },
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'same',
        source: 'Table 4',
        paper: '−0.01 at batch 256, +0.18 at batch 1024: “does not affect the accuracy”',
      },
    ],
    epochs: 4,
    minEpochs: 2,
    needsFp16: true,
    oneByOne: true,
    notes: [
      'In the browser the speed-up depends on the GPU: f16 arithmetic needs WebGPU’s shader-f16; without it FP16 halves only the memory traffic.',
    ],
  },
  {
    id: 'resnet-d',
    title: 'ResNet-B, -C and -D',
    section: '§4',
    text:
      'In a downsampling block, path A’s first 1×1 convolution has stride 2 and ignores three quarters of its input; ResNet-B moves the stride to the 3×3 convolution. ' +
      'ResNet-C replaces the 7×7 stem convolution by three 3×3 convolutions (a 7×7 costs 5.4 times a 3×3). ' +
      'ResNet-D puts a 2×2 average pool with stride 2 before path B’s 1×1 convolution, whose stride becomes 1, so path B no longer ignores three quarters of its input either.',
    lookFor:
      'Table 5 (ResNet-50): top-1 76.21 → 76.66 (B) → 76.87 (C) → 77.16 (D), about +1 point in all, with the same 25 M parameters and multiply-adds from 3.8 G to 4.3 G (within 15 %). ' +
      'Parameters and multiply-adds are computed from the architecture; at 32 px the small stem runs at full resolution, so ResNet-C’s three convolutions cost relatively more than at 224 px.',
    decidedBy: 'final top-1 of ResNet-D against ResNet (parameters and multiply-adds computed)',
    model: 'bottleneck',
    common: EFFICIENT,
    racers: [
      { label: 'ResNet', overrides: {} },
      { label: 'ResNet-B', overrides: { tweak_b: true } },
      { label: 'ResNet-C', overrides: { tweak_b: true, tweak_c: true } },
      { label: 'ResNet-D', overrides: RESNET_D },
    ],
    claims: [
      {
        racer: 3,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 5',
        paper: '+0.95 (76.21 → 77.16)',
      },
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 5',
        paper: '+0.45 (76.21 → 76.66)',
      },
      {
        racer: 2,
        against: 1,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 5',
        paper: '+0.21 (76.66 → 76.87)',
      },
      {
        racer: 3,
        against: 2,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 5',
        paper: '+0.29 (76.87 → 77.16)',
      },
      {
        racer: 3,
        against: 0,
        metric: 'params',
        direction: 'same',
        source: 'Table 5',
        paper: '25 M for all four',
      },
      {
        racer: 3,
        against: 0,
        metric: 'macs',
        direction: 'higher',
        source: 'Table 5',
        paper: '3.8 G → 4.3 G (+13 %)',
      },
    ],
    epochs: 8,
    minEpochs: 3,
    notes: [
      'B, C and D are cumulative, as in Table 5; basic-block models race the nearest bottleneck ResNet, where ResNet-B changes something.',
      FP32_NOTE,
    ],
  },
  {
    id: 'cosine',
    title: 'Cosine learning-rate decay',
    section: '§5.1',
    text:
      'Step decay divides the learning rate by 10 at fixed epochs. ' +
      'Cosine decay follows η_t = ½(1 + cos(tπ/T))η from the initial rate down to 0 over the T batches after warmup (Eq. 1): slowly at first, almost linearly in the middle and slowly again at the end. ' +
      'It starts decaying from the beginning but stays larger than step decay until step decay’s first cut by 10.',
    lookFor:
      'Fig. 3a: the two learning-rate curves; Fig. 3b: cosine’s validation accuracy trails while its rate is larger, then ends higher. Table 6 (ResNet-50-D): 77.26 → 77.73 top-1 (+0.47).',
    decidedBy: 'final top-1',
    model: 'as-set',
    common: { ...EFFICIENT, ...RESNET_D },
    racers: [
      { label: 'Step decay', overrides: { cosine: false } },
      { label: 'Cosine decay', overrides: { cosine: true } },
    ],
    claims: [
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 6',
        paper: '+0.47 (77.26 → 77.73)',
      },
    ],
    epochs: 8,
    minEpochs: 3,
    notes: ['Both racers are ResNet-D with the efficient setting, as Table 6 starts.', FP32_NOTE],
  },
  {
    id: 'label-smoothing',
    title: 'Label smoothing and the logit gap',
    section: '§5.2',
    text:
      'With one-hot targets, cross entropy is minimized by making the true class’s score infinitely larger than the others, which can overfit. ' +
      'Label smoothing gives the true class 1 − ε and every other class ε/(K − 1) (Eq. 4); the optimal gap between the true score and the others becomes finite, log((K − 1)(1 − ε)/ε) (Eq. 5): 9.1 for ImageNet’s K = 1000 at ε = 0.1, and 4.39 for the 10 classes here.',
    lookFor:
      'Fig. 4b: with label smoothing the gap between the largest logit and the mean of the others, per validation image, centres on the theoretical value and has fewer extreme values; without it the gap is larger. Table 6: +0.64 top-1 (77.73 → 78.37).',
    decidedBy: 'mean logit gap on the validation images (and top-1)',
    model: 'as-set',
    common: { ...EFFICIENT, ...RESNET_D, cosine: true },
    racers: [
      { label: 'One-hot targets', overrides: { label_smoothing: 0 } },
      { label: 'Label smoothing ε = 0.1', overrides: { label_smoothing: 0.1 } },
    ],
    claims: [
      {
        racer: 1,
        against: 0,
        metric: 'logitGap',
        direction: 'lower',
        source: 'Fig. 4b',
        paper: 'centred on the theoretical 9.1 (K = 1000), against a larger, wider gap without',
      },
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 6',
        paper: '+0.64 (77.73 → 78.37)',
      },
    ],
    epochs: 8,
    minEpochs: 3,
    notes: [
      'The gap is the paper’s Fig. 4b measure; the theory is Eq. 5’s log((K − 1)(1 − ε)/ε), not the ε/K variant of GluonCV and timm.',
      FP32_NOTE,
    ],
  },
  {
    id: 'distillation',
    title: 'Knowledge distillation',
    section: '§5.3',
    text:
      'A teacher, usually a larger pre-trained model, helps train the student: the loss adds the cross entropy between the teacher’s and the student’s softened outputs, ℓ(p, softmax(z)) + T²ℓ(softmax(r/T), softmax(z/T)) (Eq. 6), with z and r the student’s and the teacher’s logits. ' +
      'The paper distills ResNet-50-D from a ResNet-152-D trained with cosine decay and label smoothing, at T = 20.',
    lookFor:
      'Table 6: + distillation 78.37 → 78.63 top-1 (+0.26) on ResNet-50-D. The paper finds it does not help Inception-V3 or MobileNet, whose teacher is from another family. ' +
      'The teacher trains first (it appears in the runs, not in the race).',
    decidedBy: 'final top-1 of the distilled student against the student alone',
    model: 'as-set',
    common: { ...EFFICIENT, ...RESNET_D, cosine: true, label_smoothing: 0.1, temperature: 20 },
    teacher: { label: 'Teacher', overrides: {} },
    racers: [
      { label: 'Student', overrides: {} },
      { label: 'Student + distillation (T = 20)', overrides: {}, usesTeacher: true },
    ],
    claims: [
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 6',
        paper: '+0.26 (78.37 → 78.63)',
      },
    ],
    epochs: 8,
    minEpochs: 3,
    notes: [
      'The teacher is the deepest ResNet of the student’s block kind (the paper: ResNet-152-D for ResNet-50-D), with cosine decay and label smoothing like the paper’s; it trains once and teaches every seed’s race.',
      FP32_NOTE,
    ],
  },
  {
    id: 'mixup',
    title: 'Mixup training',
    section: '§5.4',
    text:
      'Mixup trains only on blends of two random examples, x̂ = λxᵢ + (1 − λ)xⱼ and ŷ = λyᵢ + (1 − λ)yⱼ (Eqs. 7–8), with λ drawn from Beta(α, α); the paper uses α = 0.2. ' +
      'Mixed examples need longer training to converge, so the paper trains them 200 epochs instead of 120.',
    lookFor:
      'Table 6: + mixup 78.37 → 79.01 top-1 (+0.64), mixup trained 200 epochs against 120; 200 epochs without mixup gave only about +0.15 (§5.5). ' +
      'Both racers here train the same epochs, so the race shows mixup alone; the mixup racer’s training loss stays higher, since its targets are mixed.',
    decidedBy: 'final top-1',
    model: 'as-set',
    common: { ...EFFICIENT, ...RESNET_D, cosine: true, label_smoothing: 0.1 },
    racers: [
      { label: 'No mixup', overrides: { mixup: 0 } },
      { label: 'Mixup α = 0.2', overrides: { mixup: 0.2 } },
    ],
    claims: [
      {
        racer: 1,
        against: 0,
        metric: 'top1',
        direction: 'higher',
        source: 'Table 6',
        paper: '+0.64 (78.37 → 79.01), mixup trained 200 epochs against 120',
      },
    ],
    epochs: 12,
    minEpochs: 6,
    notes: [
      'Mixup mixes the smoothed label vectors (ε = 0.1), as the paper stacks it on label smoothing.',
      FP32_NOTE,
    ],
  },
];

export function lessonById(id: string | null | undefined): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

/** The lesson `delta` places after `current` in the paper's order, wrapping; the first if none. */
export function stepLesson(current: string | null, delta: number): LessonId {
  const i = LESSON_IDS.indexOf(current as LessonId);
  if (i < 0) return delta < 0 ? LESSON_IDS[LESSON_IDS.length - 1]! : LESSON_IDS[0];
  const n = LESSON_IDS.length;
  return LESSON_IDS[(((i + delta) % n) + n) % n]!;
}
