/**
 * Colors of overlaid runs. Apart from overlays.tsx because the page picks them up front, and
 * overlays.tsx draws with recharts, which is loaded later (see lazy.tsx).
 */
export const OVERLAY_COLORS = [
  '#059669',
  '#9333ea',
  '#db2777',
  '#ca8a04',
  '#0891b2',
  '#4b5563',
  '#65a30d',
  '#7c2d12',
];

export function overlayColor(index: number): string {
  return OVERLAY_COLORS[index % OVERLAY_COLORS.length]!;
}
