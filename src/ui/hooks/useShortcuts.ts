import { useEffect } from 'react';

export interface ShortcutHandlers {
  playPause: () => void;
  step: () => void;
  reset: () => void;
  /** Presentation mode steps through the lessons: +1 next, −1 previous. */
  lesson?: (delta: number) => void;
}

/** The keys, as listed on the page. */
export const SHORTCUTS: readonly [string, string][] = [
  ['Space', 'train / pause / resume'],
  ['S', 'one optimizer step while paused'],
  ['R', 'reset: stop and train again from fresh weights'],
  ['N', 'next lesson'],
  ['P', 'previous lesson'],
];

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return (
    target.isContentEditable ||
    tag === 'INPUT' ||
    tag === 'TEXTAREA' ||
    tag === 'SELECT' ||
    tag === 'BUTTON' ||
    tag === 'SUMMARY'
  );
}

/** Global keyboard shortcuts; ignored while typing in a field or with a modifier held. */
export function useShortcuts(handlers: ShortcutHandlers): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || typingInto(e.target)) return;
      if (e.key === ' ') {
        e.preventDefault();
        handlers.playPause();
      } else if (e.key === 's' || e.key === 'S') {
        handlers.step();
      } else if (e.key === 'r' || e.key === 'R') {
        handlers.reset();
      } else if (e.key === 'n' || e.key === 'N') {
        handlers.lesson?.(1);
      } else if (e.key === 'p' || e.key === 'P') {
        handlers.lesson?.(-1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handlers]);
}
