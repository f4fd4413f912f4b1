import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import { experimentConfigSchema } from '../config/schema';
import { LESSON_IDS, LESSONS, lessonById, stepLesson, type Lesson } from './catalog';
import { displayModel, lessonConfigs, racersWithTeacher, type LessonSize } from './plan';
import { planLesson } from './sizing';

const lesson = (id: string): Lesson => lessonById(id)!;
const size: LessonSize = { width: 0.25, train_size: 2000, val_size: 1000, epochs: 8 };
const user: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'resnet18',
  dataset: 'cifar10',
  input: 64,
  batch: 512,
  lr: 0.4,
  cosine: true,
  mixup: 0.4,
  seed: 7,
  jitter: false,
};

describe('catalog', () => {
  it('has the eight lessons in the paper’s order, each with 2–4 racers', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([...LESSON_IDS]);
    expect(LESSON_IDS).toEqual([
      'linear-scaling',
      'zero-gamma',
      'fp16',
      'resnet-d',
      'cosine',
      'label-smoothing',
      'distillation',
      'mixup',
    ]);
    for (const l of LESSONS) {
      expect(l.racers.length).toBeGreaterThanOrEqual(2);
      expect(l.racers.length).toBeLessThanOrEqual(4);
    }
  });

  it('compares racers that exist and differ', () => {
    for (const l of LESSONS) {
      expect(l.claims.length).toBeGreaterThan(0);
      for (const c of l.claims) {
        expect(c.racer).not.toBe(c.against);
        expect(l.racers[c.racer]).toBeDefined();
        expect(l.racers[c.against]).toBeDefined();
      }
    }
  });

  it('steps through the lessons, wrapping', () => {
    expect(stepLesson(null, 1)).toBe('linear-scaling');
    expect(stepLesson(null, -1)).toBe('mixup');
    expect(stepLesson('mixup', 1)).toBe('linear-scaling');
    expect(stepLesson('linear-scaling', -1)).toBe('mixup');
    expect(stepLesson('zero-gamma', 1)).toBe('fp16');
    expect(stepLesson('nonsense', 1)).toBe('linear-scaling');
  });
});

describe('lessonConfigs', () => {
  it('puts every racer on the lesson scale, tricks off but the lesson’s, the user’s seed kept', () => {
    const { racers, teacher } = lessonConfigs(lesson('cosine'), user, size);
    expect(teacher).toBeNull();
    expect(racers.map((r) => r.label)).toEqual(['Step decay', 'Cosine decay']);
    for (const r of racers) {
      expect(r.config).toMatchObject({
        dataset: 'synthetic',
        input: 32,
        batch: 128,
        lr: 0.1,
        width: 0.25,
        train_size: 2000,
        val_size: 1000,
        epochs: 8,
        seed: 7,
        jitter: false,
        mixup: 0,
        linear_scaling: true,
        zero_gamma: true,
        no_bias_decay: true,
        fp16: false,
        tweak_b: true,
        tweak_c: true,
        tweak_d: true,
        distill: '',
        repeats: 1,
      });
    }
    expect(racers.map((r) => r.config.cosine)).toEqual([false, true]);
  });

  it('gives every lesson valid configs', () => {
    for (const l of LESSONS) {
      const { racers, teacher } = lessonConfigs(l, user, size);
      for (const c of [...racers.map((r) => r.config), ...(teacher ? [teacher.config] : [])]) {
        expect(experimentConfigSchema.safeParse(c).success).toBe(true);
      }
    }
  });

  it('races a small batch against 4× the batch at 4× the rate, without and with warmup', () => {
    const { racers } = lessonConfigs(lesson('linear-scaling'), user, size);
    expect(racers.map((r) => [r.config.batch, r.config.linear_scaling, r.config.warmup])).toEqual([
      [32, true, 0],
      [128, true, 0],
      [128, true, 1],
    ]);
  });

  it('warms up 5/120 of the epochs, at least one', () => {
    // 48 epochs · 5/120 = 2.
    const { racers } = lessonConfigs(lesson('linear-scaling'), user, { ...size, epochs: 48 });
    expect(racers[2]!.config.warmup).toBe(2);
  });

  it('races the nearest bottleneck ResNet with B, C and D stacked', () => {
    const { racers } = lessonConfigs(lesson('resnet-d'), user, size);
    expect(racers.map((r) => r.config.model)).toEqual([
      'resnet26',
      'resnet26',
      'resnet26',
      'resnet26',
    ]);
    expect(racers.map((r) => [r.config.tweak_b, r.config.tweak_c, r.config.tweak_d])).toEqual([
      [false, false, false],
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
    const fromResnet34 = lessonConfigs(lesson('resnet-d'), { ...user, model: 'resnet34' }, size);
    expect(fromResnet34.racers[0]!.config.model).toBe('resnet50');
  });

  it('trains a deeper teacher of the same kind and marks the distilled racer', () => {
    const { racers, teacher } = lessonConfigs(lesson('distillation'), user, size);
    expect(teacher!.config.model).toBe('resnet34');
    expect(teacher!.label).toBe('Teacher (ResNet-34)');
    expect(teacher!.config).toMatchObject({ cosine: true, label_smoothing: 0.1, distill: '' });
    expect(racers.map((r) => r.usesTeacher)).toEqual([false, true]);
    expect(racers.map((r) => r.config.temperature)).toEqual([20, 20]);
  });
});

describe('races', () => {
  it('races the user’s repeats as seeds, with the user’s seed', () => {
    const plan = planLesson(lesson('mixup'), { ...user, repeats: 3 }, null);
    expect(plan.repeats).toBe(3);
    expect(plan.racers.map((r) => [r.config.seed, r.config.repeats])).toEqual([
      [7, 1],
      [7, 1],
    ]);
  });

  it('sets the teacher’s run id on the distilled racer only', () => {
    const plan = planLesson(lesson('distillation'), user, null);
    expect(plan.teacher!.config.seed).toBe(7);
    expect(racersWithTeacher(plan, 'r12').map((r) => [r.label, r.config.distill])).toEqual([
      ['Student', ''],
      ['Student + distillation (T = 20)', 'r12'],
    ]);
    expect(() => racersWithTeacher(plan, null)).toThrow(/teacher/);
  });

  it('trains the FP16 racers one after another, and races the others', () => {
    expect(planLesson(lesson('fp16'), user, null).mode).toBe('one-by-one');
    expect(planLesson(lesson('cosine'), user, null).mode).toBe('race');
  });

  it('needs no teacher where no racer distills', () => {
    const plan = planLesson(lesson('mixup'), user, null);
    expect(plan.teacher).toBeNull();
    expect(racersWithTeacher(plan, null).map((r) => r.config.mixup)).toEqual([0, 0.2]);
  });

  it('shares the data and the seed among racers, as a race requires', () => {
    for (const l of LESSONS) {
      const plan = planLesson(l, user, null);
      const shared = (k: keyof ExperimentConfig) => new Set(plan.racers.map((r) => r.config[k]));
      for (const k of ['dataset', 'seed', 'train_size', 'val_size', 'repeats'] as const) {
        expect(shared(k).size).toBe(1);
      }
    }
  });

  it('names models as the paper does', () => {
    expect(displayModel('resnet50')).toBe('ResNet-50');
    expect(displayModel('resnet152')).toBe('ResNet-152');
  });
});
