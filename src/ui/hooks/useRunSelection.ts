import { useCallback, useMemo, useState } from 'react';
import type { SavedRun } from '../../experiments/saved-run';
import { overlayColor } from '../charts/overlay-colors';
import type { OverlaySeries } from '../charts/overlays';
import { overlaysOf } from '../overlay-groups';

export interface RunSelection {
  /** The run the charts show. */
  shownId: string | null;
  shown: SavedRun | null;
  show: (id: string | null) => void;
  /** Runs overlaid on the charts and listed in the comparison table. */
  compareIds: ReadonlySet<string>;
  compared: SavedRun[];
  /** Line colour of each compared run. */
  colors: ReadonlyMap<string, string>;
  /** The compared runs other than the shown one, as chart overlays. */
  overlays: OverlaySeries[];
  setCompared: (id: string, on: boolean) => void;
  clearCompared: () => void;
  /** The run was deleted: neither shown nor compared any more. */
  forget: (id: string) => void;
}

/** Which saved runs the charts show and compare. */
export function useRunSelection(runs: SavedRun[]): RunSelection {
  const [shownId, setShownId] = useState<string | null>(null);
  const [compareIds, setCompareIds] = useState<ReadonlySet<string>>(new Set());

  const compared = useMemo(() => runs.filter((r) => compareIds.has(r.id)), [runs, compareIds]);
  const colors = useMemo(
    () => new Map(compared.map((r, i) => [r.id, overlayColor(i)] as const)),
    [compared],
  );
  const overlays: OverlaySeries[] = useMemo(
    () => overlaysOf(compared, colors, shownId),
    [compared, colors, shownId],
  );

  const setCompared = useCallback((id: string, on: boolean) => {
    setCompareIds((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const clearCompared = useCallback(() => setCompareIds(new Set()), []);
  const forget = useCallback((id: string) => {
    setCompareIds((prev) => new Set([...prev].filter((x) => x !== id)));
    setShownId((shown) => (shown === id ? null : shown));
  }, []);

  return {
    shownId,
    shown: runs.find((r) => r.id === shownId) ?? null,
    show: setShownId,
    compareIds,
    compared,
    colors,
    overlays,
    setCompared,
    clearCompared,
    forget,
  };
}
