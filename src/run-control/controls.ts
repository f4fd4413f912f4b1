/**
 * The controls of one run: pause, resume, single steps and stop. This object is the only place
 * they live. The worker creates it when a run is asked for, before its dataset and trainer
 * exist, and hands it to the trainer; a trainer re-created after a lost GPU device gets the same
 * object. So a pause pressed during preparation, or before a device loss, still holds afterwards,
 * and nothing keeps a copy that could disagree. Pure: no tensors, no timers.
 */
export interface RunControls {
  pause(): void;
  /** Ends a pause (and forgets single steps not yet taken). */
  resume(): void;
  /** While paused: allows one more optimizer step. Ignored while running. */
  step(): void;
  stop(): void;
  /** Paused, and forgetting single steps not yet taken: what a divergence does to the run. */
  hold(): void;
  readonly paused: boolean;
  readonly stopped: boolean;
  /** The loop must wait before its next step: paused with no single step allowed, not stopped. */
  readonly holding: boolean;
  /** Uses up one single step, if paused. */
  takeStep(): void;
  /** Resolves at the next control (or `wake`): the loop waits on it while holding. */
  changed(): Promise<void>;
  /** Wakes a waiting loop without a control (e.g. a lost GPU device). */
  wake(): void;
}

export function createRunControls(): RunControls {
  let paused = false;
  let stopped = false;
  let singleSteps = 0;
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resolve of woken) resolve();
  };
  return {
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      singleSteps = 0;
      wake();
    },
    step() {
      if (!paused) return;
      singleSteps++;
      wake();
    },
    stop() {
      stopped = true;
      wake();
    },
    hold() {
      paused = true;
      singleSteps = 0;
    },
    get paused() {
      return paused;
    },
    get stopped() {
      return stopped;
    },
    get holding() {
      return paused && singleSteps === 0 && !stopped;
    },
    takeStep() {
      if (paused && singleSteps > 0) singleSteps--;
    },
    changed() {
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    wake,
  };
}
