import { beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../config';
import { generateSyntheticDataset } from '../../data/synthetic';
import { createRunControls } from '../../run-control/controls';
import { createRaceTurns, raceSeat, type RaceSeat } from '../../run-control/race-turns';
import type { TrainerEvent } from '../../run/events';
import { initNodeBackend } from '../backend-node';
import { createTrainer } from '../trainer';
import type { TrainerOptions } from '../trainer-types';

/** A race on one device: racers take turns, and each trains exactly as it would alone. */

beforeAll(async () => {
  await initNodeBackend();
});

const BASE =
  'model=resnet10&width=0.0625&batch=8&train_size=40&val_size=8&epochs=2&warmup=1&lr=0.1&kernels=direct';
const dataset = generateSyntheticDataset({ seed: 1, trainSize: 40, valSize: 8 });

function lossesOf(events: TrainerEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'train-points' ? e.points.map((p) => p.loss) : []));
}

async function trainAlone(query: string): Promise<number[]> {
  const events: TrainerEvent[] = [];
  const { config } = parseQuery(query);
  const result = await createTrainer({ config, dataset, onEvent: (e) => events.push(e) }).run();
  result!.dispose();
  return lossesOf(events);
}

describe('a race', () => {
  it('interleaves two racers step by step and leaves each racer’s losses identical to training it alone', async () => {
    // Label smoothing on and off: the same seed, data order and augmentation streams.
    const queries = [BASE, `${BASE}&label_smoothing=0.1`];
    const alone = [];
    for (const q of queries) alone.push(await trainAlone(q));

    const turns = createRaceTurns(2);
    const controls = createRunControls();
    const order: number[] = [];
    const seat = (i: number): RaceSeat => {
      const inner = raceSeat(turns, i);
      return {
        turn: async (f) => {
          await inner.turn(f);
          order.push(i);
        },
        queued: (f) => inner.queued(f),
      };
    };
    const raced = await Promise.all(
      queries.map(async (q, i) => {
        const events: TrainerEvent[] = [];
        const options: TrainerOptions = {
          config: parseQuery(q).config,
          dataset,
          onEvent: (e) => events.push(e),
          raceSeat: seat(i),
        };
        const result = await createTrainer(options, controls).run();
        turns.leave(i);
        expect(result!.outcome).toBe('finished');
        result!.dispose();
        return lossesOf(events);
      }),
    );
    // 40 images at batch 8: 5 steps per epoch, 10 in all, per racer.
    expect(alone[0]!.length).toBe(10);
    expect(raced).toEqual(alone);
    expect(alone[0]).not.toEqual(alone[1]);
    // The first two turns are the warm-ups (racer 0's, then racer 1's); then one step each in turn.
    const steps = order.filter((_, k) => k !== 0 && k !== 2);
    expect(order.slice(0, 3)).toEqual([0, 0, 1]);
    expect(steps).toEqual(Array.from({ length: 20 }, (_, k) => k % 2));
  });
});
