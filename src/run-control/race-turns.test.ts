import { describe, expect, it } from 'vitest';
import { createRaceTurns } from './race-turns';

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Simulated racers: each asks for its turn, records that it stepped, reports the step queued, and
 * repeats until it has done `steps` steps; the log is the order they stepped in.
 */
async function race(stepsOf: number[]): Promise<number[]> {
  const turns = createRaceTurns(stepsOf.length);
  const log: number[] = [];
  await Promise.all(
    stepsOf.map(async (steps, index) => {
      for (let done = 0; done < steps; done++) {
        await turns.turn(index, done / steps);
        log.push(index);
        // A readback or an evaluation between steps: other racers may go meanwhile.
        await settle();
        turns.queued(index, (done + 1) / steps);
      }
      turns.leave(index);
    }),
  );
  return log;
}

describe('race turns', () => {
  it('racers of equal length alternate strictly: 0, 1, 2, 0, 1, 2, …', async () => {
    expect(await race([3, 3, 3])).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('a racer with 2 steps steps once for every 2 steps of a racer with 4 (level fractions)', async () => {
    // Fractions before each step: racer 0 at 0, ¼, ½, ¾; racer 1 at 0, ½. Ties go to racer 0.
    expect(await race([4, 2])).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('a racer that left is not waited for', async () => {
    expect(await race([1, 3])).toEqual([0, 1, 1, 1]);
  });

  it('only one racer holds a turn until it reports its step queued', async () => {
    const turns = createRaceTurns(2);
    let second = false;
    await turns.turn(0, 0);
    void turns.turn(1, 0).then(() => (second = true));
    await settle();
    expect(second).toBe(false);
    turns.queued(0, 0.5);
    await settle();
    expect(second).toBe(true);
  });

  it('the racer furthest behind holds the others back while it is busy between turns', async () => {
    const turns = createRaceTurns(2);
    await turns.turn(0, 0);
    turns.queued(0, 0.1);
    await turns.turn(1, 0);
    turns.queued(1, 0.05);
    // Racer 1 (at 0.05) has not asked again: racer 0 (at 0.1) waits for it.
    let zero = false;
    void turns.turn(0, 0.1).then(() => (zero = true));
    await settle();
    expect(zero).toBe(false);
    await turns.turn(1, 0.05);
    turns.queued(1, 0.2);
    await settle();
    expect(zero).toBe(true);
  });

  it('wakeAll answers every waiting racer at once', async () => {
    const turns = createRaceTurns(3);
    await turns.turn(0, 0);
    const woken: number[] = [];
    void turns.turn(1, 0).then(() => woken.push(1));
    void turns.turn(2, 0).then(() => woken.push(2));
    await settle();
    expect(woken).toEqual([]);
    turns.wakeAll();
    await settle();
    expect(woken.sort()).toEqual([1, 2]);
  });

  it('fractions are null once a racer left', () => {
    const turns = createRaceTurns(2);
    turns.leave(1);
    expect(turns.fractions).toEqual([0, null]);
  });
});
