import { describe, expect, it } from 'vitest';
import { createRunControls } from './controls';

describe('run controls', () => {
  it('pause holds the loop; single steps pass one at a time; resume forgets the rest', () => {
    const c = createRunControls();
    expect(c.holding).toBe(false);
    c.step(); // ignored while running
    c.pause();
    expect(c.holding).toBe(true);
    c.step();
    c.step();
    expect(c.holding).toBe(false);
    c.takeStep();
    expect(c.holding).toBe(false);
    c.takeStep();
    expect(c.holding).toBe(true);
    c.step();
    c.resume();
    expect(c.paused).toBe(false);
    c.pause();
    expect(c.holding).toBe(true); // the step granted before the resume is gone
  });

  it('hold pauses and drops granted steps; stop ends holding', () => {
    const c = createRunControls();
    c.pause();
    c.step();
    c.hold();
    expect(c.holding).toBe(true);
    c.stop();
    expect(c.stopped).toBe(true);
    expect(c.holding).toBe(false);
  });

  it('a waiting loop wakes on a control or on wake(), not on pause', async () => {
    const c = createRunControls();
    const woken: string[] = [];
    const wait = (name: string) => void c.changed().then(() => woken.push(name));
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    wait('pause');
    c.pause();
    await settle();
    expect(woken).toEqual([]);
    c.step();
    await settle();
    expect(woken).toEqual(['pause']);
    wait('wake');
    c.wake();
    await settle();
    wait('stop');
    c.stop();
    await settle();
    expect(woken).toEqual(['pause', 'wake', 'stop']);
  });
});
