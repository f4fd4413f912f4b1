import { spawnSync } from 'node:child_process';

/**
 * Tests only (Node): why `load_timm.py` cannot run with `python`, or null when it can (it imports
 * torch and timm). The engine's and the browser tests' real-timm checks are NOT RUN without them.
 */
export function timmPythonUnavailable(python: string): string | null {
  const probe = spawnSync(python, ['-c', 'import torch, timm'], { encoding: 'utf8' });
  if (probe.error) return `${python}: ${probe.error.message}`;
  if (probe.status !== 0)
    return `${python} cannot import torch and timm (${probe.stderr.trim().split('\n').pop()})`;
  return null;
}
