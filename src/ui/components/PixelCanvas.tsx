import { useEffect, useRef } from 'react';
import { drawRgba } from '../draw-pixels';

/** A small image drawn from RGBA pixels, scaled up without smoothing, with an accessible name. */
export function PixelCanvas({
  rgba,
  width,
  height,
  label,
}: {
  /** width × height × 4 bytes, row-major. */
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => drawRgba(ref.current, rgba, width, height), [rgba, width, height]);
  return <canvas ref={ref} width={width} height={height} role="img" aria-label={label} />;
}
