import { enforceConsistency } from '../config/consistency';
import type { ExperimentConfig } from '../config/params';
import { TRICKS_OFF } from '../config/presets';
import type { Racer } from '../experiments/race';
import { bottleneckModel, scaledWarmup, teacherModel } from '../experiments/sweeps';
import type { Lesson, LessonId } from './catalog';

/**
 * A lesson as runnable configurations: the lesson's scale, its common settings and each racer's
 * overrides over the user's config. What a plan keeps from the user: model (unless the lesson
 * needs a bottleneck one), augmentation, seed, repeats (as the race's seeds), kernels,
 * presentation mode. Racers share the data and the seed, as a race requires.
 */

/** Where the sizing puts a lesson: the sizes a plan is built at. */
export interface LessonSize {
  width: number;
  train_size: number;
  val_size: number;
  epochs: number;
}

export type { Racer };

export interface LessonRacer extends Racer {
  /** Distills from the plan's teacher: `racersWithTeacher` sets `distill` to its run id. */
  usesTeacher: boolean;
}

/**
 * What "Start lesson" hands to the page. The page trains the teacher first, when there is one,
 * as an ordinary run (once: every seed's race distills from it, as one pre-trained teacher serves
 * the paper), then races `racersWithTeacher(plan, teacherRunId)` with `repeats` seeds (seed,
 * seed + 1, …, one race each). With `mode` 'one-by-one' it trains the racers as ordinary runs
 * instead, one after another, each seed in turn: a race's racers end together, so only runs of
 * their own measure their own time per epoch.
 */
export interface LessonPlan {
  lessonId: LessonId;
  mode: 'race' | 'one-by-one';
  racers: LessonRacer[];
  teacher: Racer | null;
  /** Races, one per seed (the user's Repeats): 2 or more give the outcome its noise interval. */
  repeats: number;
  size: LessonSize;
  /** The sizing sentence shown before the start. */
  sizing: string;
  /** Estimated seconds of the whole plan (every seed, teacher included). */
  estimatedSeconds: number;
  /** Why the race cannot start (its racers' memory together), or null: the page refuses it too. */
  memoryProblem: string | null;
}

/**
 * Every lesson races on the synthetic dataset (works offline, and its size is ours to choose) at
 * its native 32 px, at batch 128 with the paper's η = 0.1 (per 256 where linear scaling is on)
 * and weight decay 1e-4; racers and teachers are single runs, seeds are the plan's.
 */
export const LESSON_SCALE = {
  dataset: 'synthetic',
  source: 'files',
  hub: '',
  input: 32,
  stem: 'auto',
  batch: 128,
  lr: 0.1,
  wd: 0.0001,
  repeats: 1,
  autorun: false,
  classes: 0,
} as const satisfies Partial<ExperimentConfig>;

function finish(config: ExperimentConfig, size: LessonSize): ExperimentConfig {
  const sized: ExperimentConfig = { ...config, ...size };
  // The paper warms up 5 of 120 epochs; scaled to the lesson's epochs, at least 1.
  if (sized.warmup > 0) sized.warmup = scaledWarmup(sized.epochs);
  return enforceConsistency(sized).config;
}

/** The lesson's model for a user's model (see ModelRule). */
export function lessonModel(lesson: Lesson, base: ExperimentConfig): ExperimentConfig['model'] {
  return lesson.model === 'bottleneck' ? bottleneckModel(base.model) : base.model;
}

/** The lesson's racers and teacher at a size, for the seed of `base`. */
export function lessonConfigs(
  lesson: Lesson,
  base: ExperimentConfig,
  size: LessonSize,
): { racers: LessonRacer[]; teacher: Racer | null } {
  const shared: ExperimentConfig = {
    ...base,
    ...TRICKS_OFF,
    ...LESSON_SCALE,
    model: lessonModel(lesson, base),
    ...lesson.common,
  };
  const racers = lesson.racers.map((r) => ({
    label: r.label,
    config: finish({ ...shared, ...r.overrides }, size),
    usesTeacher: r.usesTeacher ?? false,
  }));
  const teacher = lesson.teacher
    ? {
        label: `${lesson.teacher.label} (${displayModel(teacherModel(shared.model))})`,
        config: finish(
          { ...shared, ...lesson.teacher.overrides, model: teacherModel(shared.model) },
          size,
        ),
      }
    : null;
  return { racers, teacher };
}

/** The racers as the race takes them: distilled ones learn from the teacher's run. */
export function racersWithTeacher(
  plan: Pick<LessonPlan, 'racers'>,
  teacherRunId: string | null,
): Racer[] {
  return plan.racers.map((r) => {
    if (r.usesTeacher && !teacherRunId) throw new Error(`${r.label} needs the teacher's run id`);
    return { label: r.label, config: { ...r.config, distill: r.usesTeacher ? teacherRunId! : '' } };
  });
}

/** "resnet50" → "ResNet-50". */
export function displayModel(model: string): string {
  const m = /^resnet(\d+)$/.exec(model);
  return m ? `ResNet-${m[1]}` : model;
}
