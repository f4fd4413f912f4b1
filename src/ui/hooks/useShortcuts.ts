import { useEffect } from 'react';

export interface ShortcutHandlers {
  playPause: () => void;
  step: () => void;
  reset: () => void;
}

/** The keys, as listed on the page. */
export const SHORTCUTS: readonly [string, string][] = [
  ['Space', 'train / pause / resume'],
  ['S', 'one optimizer step while paused'],
  ['R', 'reset: stop and train again from fresh weights'],
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
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handlers]);
}
