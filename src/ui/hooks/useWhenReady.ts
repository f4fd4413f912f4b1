import { useCallback, useEffect, useRef } from 'react';

/**
 * Runs `task` once `ready`, deferred to a task of its own so that it sees the state this render
 * committed. A pending call is cancelled when `ready` or `task` changes first (pass a
 * `useCallback` task: a new one means something it reads changed), so one state never starts the
 * same work twice.
 */
export function useWhenReady(ready: boolean, task: () => void): void {
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(task, 0);
    return () => clearTimeout(timer);
  }, [ready, task]);
}

/** `useWhenReady` for the first time only: what a link asks for on load. */
export function useOnceWhenReady(ready: boolean, task: () => void): void {
  const done = useRef(false);
  const once = useCallback(() => {
    if (done.current) return;
    done.current = true;
    task();
  }, [task]);
  useWhenReady(ready, once);
}
