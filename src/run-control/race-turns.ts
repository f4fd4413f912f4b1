/**
 * Who trains next in a race: 2–4 runs on one GPU take turns, one optimizer step per turn. The
 * racer that has done the smallest fraction of its run goes next (ties: the lower index), so
 * racers of equal length alternate strictly (round-robin) and a racer with fewer, larger steps
 * (a larger batch) steps as often as keeps it level.
 *
 * A turn lasts from `turn()`'s answer to `queued()`: only one racer queues GPU work at a time, so
 * one racer's GPU error scopes (its first steps, its warm-up) never catch another's work. A racer
 * busy elsewhere (a readback, its evaluation) holds the others back only while it is the furthest
 * behind: the curves stay level and a racer's readback overlaps the others' steps.
 * Pure: no tensors, no timers.
 */
export interface RaceTurns {
  /** Resolves when racer `index`, having done `fraction` ∈ [0, 1] of its run, may take a step. */
  turn(index: number, fraction: number): Promise<void>;
  /** Racer `index` queued its step and has now done `fraction`: the turn passes on. */
  queued(index: number, fraction: number): void;
  /** The racer ended (finished, stopped or failed): the others no longer wait for it. */
  leave(index: number): void;
  /**
   * Answers every waiting racer at once, out of turn: for a lost GPU device, after which every
   * racer stops (and resumes on a new device, asking for its turn again).
   */
  wakeAll(): void;
  /** Each racer's last reported fraction; null once it left. */
  readonly fractions: readonly (number | null)[];
}

export function createRaceTurns(racers: number): RaceTurns {
  const fractions: (number | null)[] = Array.from({ length: racers }, () => 0);
  const waiting = new Map<number, () => void>();
  /** The racer whose turn it is (until it calls queued or leaves); -1 when none. */
  let granted = -1;

  /** The racer furthest behind (lowest fraction, then lowest index); -1 when all left. */
  const behind = (): number => {
    let best = -1;
    for (let i = 0; i < racers; i++) {
      const f = fractions[i];
      if (f === null || f === undefined) continue;
      if (best < 0 || f < fractions[best]!) best = i;
    }
    return best;
  };
  const release = () => {
    if (granted >= 0) return;
    const next = behind();
    const resolve = waiting.get(next);
    if (!resolve) return;
    waiting.delete(next);
    granted = next;
    resolve();
  };

  return {
    turn(index, fraction) {
      if (fractions[index] === null) return Promise.resolve();
      if (granted === index) granted = -1; // a turn asked again without a step in between
      fractions[index] = fraction;
      const promise = new Promise<void>((resolve) => waiting.set(index, resolve));
      release();
      return promise;
    },
    queued(index, fraction) {
      if (fractions[index] === null) return;
      fractions[index] = fraction;
      if (granted === index) granted = -1;
      release();
    },
    leave(index) {
      fractions[index] = null;
      if (granted === index) granted = -1;
      const resolve = waiting.get(index);
      waiting.delete(index);
      resolve?.();
      release();
    },
    wakeAll() {
      const woken = [...waiting.values()];
      waiting.clear();
      granted = -1;
      for (const resolve of woken) resolve();
    },
    get fractions() {
      return fractions;
    },
  };
}

/** One racer's view of the turns: what its trainer calls. */
export interface RaceSeat {
  turn(fraction: number): Promise<void>;
  queued(fraction: number): void;
}

export function raceSeat(turns: RaceTurns, index: number): RaceSeat {
  return {
    turn: (fraction) => turns.turn(index, fraction),
    queued: (fraction) => turns.queued(index, fraction),
  };
}
