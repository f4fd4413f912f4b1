import { useCallback, useMemo, useState } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import type { SweepPlan } from '../../experiments/sweeps';
import { RACE_TABLE, type Racer } from '../../experiments/race';
import {
  LESSON_IDS,
  lessonById,
  racersWithTeacher,
  stepLesson,
  type LessonPlan,
} from '../../lessons';
import type { RunRecord } from '../runs';
import { useWhenReady } from './useWhenReady';

export const LESSON_KEY = 'lesson';

/** The lesson a link names (`lesson=<id>`), or null (an unknown id is ignored). */
export function lessonOfLink(search: string): string | null {
  const id = new URLSearchParams(search).get(LESSON_KEY);
  return id !== null && (LESSON_IDS as readonly string[]).includes(id) ? id : null;
}

/** The page address with `lesson=<id>` set (or removed when null), the rest kept. */
export function urlWithLesson(id: string | null, location: Location = window.location): string {
  const params = new URLSearchParams(location.search);
  if (id === null) params.delete(LESSON_KEY);
  else params.set(LESSON_KEY, id);
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
}

/** A started lesson: where it stands and the runs it made. */
interface Started {
  plan: LessonPlan;
  stage: 'teacher' | 'racing' | 'one-by-one' | 'failed';
  teacherId: string | null;
  /** Run ids that existed when it started: none of them is the lesson's. */
  before: ReadonlySet<string>;
}

export interface LessonsControl {
  lessonId: string | null;
  select: (id: string | null) => void;
  /** Next (+1) or previous (−1) lesson, wrapping around: presentation mode's keys. */
  step: (delta: number) => void;
  start: (plan: LessonPlan) => void;
  /** The runs of the started lesson (the teacher's excluded). */
  runs: SavedRun[];
  /** Why the lesson stopped (its teacher did not finish); null when none. */
  message: string | null;
}

/**
 * Runs a lesson's plan with the page's machinery: a race of its racers (after its teacher, trained
 * alone, when a racer distils), or its configurations one after another as ordinary runs (FP16,
 * whose time per epoch a race cannot measure: racers wait for each other).
 */
export function useLessons(
  canStart: boolean,
  context: {
    savedRuns: SavedRun[];
    sessionRuns: RunRecord[];
    startRun: (config: Racer['config']) => string | null;
    startRace: (racers: Racer[], repeats: number) => string | null;
    startPlan: (plan: SweepPlan) => void;
  },
): LessonsControl {
  const [lessonId, setLessonId] = useState(() => lessonOfLink(window.location.search));
  const [started, setStarted] = useState<Started | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const { savedRuns, sessionRuns, startRun, startRace, startPlan } = context;
  const existing = useCallback(
    () => new Set([...savedRuns.map((r) => r.id), ...sessionRuns.map((r) => r.id)]),
    [savedRuns, sessionRuns],
  );

  const select = useCallback((id: string | null) => {
    setLessonId(id);
    window.history.replaceState(window.history.state, '', urlWithLesson(id));
  }, []);
  const step = useCallback(
    (delta: number) => select(stepLesson(lessonId, delta)),
    [lessonId, select],
  );

  const race = useCallback(
    (plan: LessonPlan, teacherId: string | null) => {
      const problem = startRace(racersWithTeacher(plan, teacherId), plan.repeats);
      setMessage(problem);
      setStarted({ plan, stage: problem ? 'failed' : 'racing', teacherId, before: existing() });
    },
    [startRace, existing],
  );

  const start = useCallback(
    (plan: LessonPlan) => {
      setMessage(null);
      if (plan.mode === 'one-by-one') {
        const lesson = lessonById(plan.lessonId);
        const steps = Array.from({ length: plan.repeats }, (_, repeat) =>
          plan.racers.map((r) => ({
            label: r.label,
            config: { ...r.config, seed: r.config.seed + repeat },
            inTable: true,
            repeat,
            column: null,
          })),
        ).flat();
        const sweepPlan: SweepPlan = { table: null, title: lesson?.title ?? '', steps, notes: [] };
        startPlan(sweepPlan);
        setStarted({ plan, stage: 'one-by-one', teacherId: null, before: existing() });
        return;
      }
      if (plan.teacher) {
        const id = startRun(plan.teacher.config);
        setStarted({ plan, stage: 'teacher', teacherId: id, before: existing() });
        return;
      }
      race(plan, null);
    },
    [startPlan, startRun, race, existing],
  );

  // The teacher finished (or not): race its students.
  const afterTeacher = useCallback(() => {
    if (started?.stage !== 'teacher') return;
    const teacher = sessionRuns.find((r) => r.id === started.teacherId);
    if (teacher?.phase !== 'finished') {
      setMessage(
        `The teacher run ${started.teacherId ?? ''} did not finish (${teacher?.phase ?? 'not started'}): the lesson stopped.`,
      );
      setStarted({ ...started, stage: 'failed' });
      return;
    }
    race(started.plan, started.teacherId);
  }, [started, sessionRuns, race]);
  useWhenReady(started?.stage === 'teacher' && canStart, afterTeacher);

  // The lesson's runs: those that started after it (its teacher's excluded), a race's racers or
  // the one-by-one queue's plain runs.
  const runs = useMemo(() => {
    if (!started || started.stage === 'teacher') return [];
    const racing = started.stage === 'racing';
    return savedRuns.filter(
      (r) =>
        !started.before.has(r.id) &&
        r.id !== started.teacherId &&
        (racing ? r.sweep?.table === RACE_TABLE : r.sweep === null),
    );
  }, [started, savedRuns]);

  return { lessonId, select, step, start, runs, message };
}
