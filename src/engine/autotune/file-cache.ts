import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TuningCacheStore } from './tuner';

/**
 * The kernel tuning cache of the CLI and the benchmarks (Node only; the page uses IndexedDB):
 * one JSON file in the user's cache folder. $TRICKS_PLAYGROUND_CACHE names another folder.
 */

/** The user's cache folder of this project (kernel timings, Hub datasets). */
export function defaultCacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.TRICKS_PLAYGROUND_CACHE ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tricks-playground')
  );
}

export function defaultTuningCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultCacheFolder(env), 'kernel-tuning.json');
}

export function fileTuningCache(path: string = defaultTuningCachePath()): TuningCacheStore {
  return {
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async save(json) {
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so that a crash mid-write never leaves a truncated cache.
      const partial = `${path}.${process.pid}.tmp`;
      await writeFile(partial, json);
      await rename(partial, path);
    },
  };
}
