import { z } from 'zod';
import { describeIssues, savedRunSchema } from './schemas';
import type { SavedRun } from './saved-run';

/**
 * Runs as a JSON file: { format, version, runs }. Weights are not included (download the model
 * instead); hasWeights is written as false so an import never promises weights it lacks.
 */

export const RUN_FILE_FORMAT = 'tricks-playground-runs';
export const RUN_FILE_VERSION = 1;
/** Larger files are refused before parsing. */
export const MAX_RUN_FILE_BYTES = 50 * 1024 * 1024;

const runFileSchema = z.object({
  format: z.literal(RUN_FILE_FORMAT, `must be "${RUN_FILE_FORMAT}"`),
  version: z.literal(RUN_FILE_VERSION, `must be ${RUN_FILE_VERSION}`),
  runs: z.array(savedRunSchema).min(1, 'holds no runs').max(1000),
});

/** Objects with their keys sorted, so the same runs always give the same file. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, (value as Record<string, unknown>)[k]]),
  );
}

export function exportRuns(runs: readonly SavedRun[]): string {
  const file = {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    // Weights and checkpoints stay in this browser.
    runs: runs.map((run) => ({ ...run, hasWeights: false, checkpoint: null })),
  };
  return JSON.stringify(file, sortedKeys, 1) + '\n';
}

export type ImportResult = { ok: true; runs: SavedRun[] } | { ok: false; message: string };

export function parseRunFile(text: string): ImportResult {
  if (text.length > MAX_RUN_FILE_BYTES) {
    return {
      ok: false,
      message: `The file is larger than ${MAX_RUN_FILE_BYTES / 1024 / 1024} MB.`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `The file is not JSON (${(err as Error).message}).` };
  }
  const parsed = runFileSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, message: `Not a runs file of this app: ${describeIssues(parsed.error)}.` };
  }
  return { ok: true, runs: parsed.data.runs };
}

/**
 * Imported runs keep their ids unless taken; a taken id gets the next free one. Runs that were
 * running when exported are 'interrupted' here.
 */
export function admitImported(
  incoming: readonly SavedRun[],
  existingIds: Iterable<string>,
): SavedRun[] {
  const used = new Set(existingIds);
  let next = Math.max(0, ...[...used].map((id) => Number(/^r(\d+)$/.exec(id)?.[1] ?? 0))) + 1;
  return incoming.map((run) => {
    let id = run.id;
    if (used.has(id)) {
      while (used.has(`r${next}`)) next++;
      id = `r${next++}`;
    }
    used.add(id);
    const status = run.status === 'running' ? 'interrupted' : run.status;
    return { ...run, id, status, hasWeights: false };
  });
}
