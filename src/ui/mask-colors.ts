export type Rgb = readonly [number, number, number];

/**
 * One colour per segmentation label, in SEGMENTATION_CLASSES order (data/synthetic-scenes.ts): black for the background,
 * then the ten Tableau 10 colours for the shapes (distinct from one another and from black).
 */
export const MASK_COLORS: readonly Rgb[] = [
  [0, 0, 0],
  [78, 121, 167],
  [242, 142, 43],
  [225, 87, 89],
  [118, 183, 178],
  [89, 161, 79],
  [237, 201, 72],
  [176, 122, 161],
  [255, 157, 167],
  [156, 117, 95],
  [186, 176, 172],
];

/** A label without a colour (never produced by a valid mask) is drawn in this one. */
const UNKNOWN_LABEL: Rgb = [255, 255, 255];

/** CSS colour of an RGB triple, as getComputedStyle reports it. */
export function cssColor([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** A label map (row-major) as opaque RGBA pixels for ImageData, one colour per label. */
export function maskRgba(
  mask: ArrayLike<number>,
  colors: readonly Rgb[] = MASK_COLORS,
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(mask.length * 4);
  for (let p = 0; p < mask.length; p++) {
    const [r, g, b] = colors[mask[p]!] ?? UNKNOWN_LABEL;
    rgba[p * 4] = r;
    rgba[p * 4 + 1] = g;
    rgba[p * 4 + 2] = b;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}
