/** Paints one RGB image (3 bytes per pixel, row-major) from `pixels` at `offset` onto a canvas. */
export function drawRgbImage(
  canvas: HTMLCanvasElement | null,
  pixels: Uint8Array,
  offset: number,
  width: number,
  height: number,
): void {
  const ctx = canvas?.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    image.data[p * 4] = pixels[offset + p * 3]!;
    image.data[p * 4 + 1] = pixels[offset + p * 3 + 1]!;
    image.data[p * 4 + 2] = pixels[offset + p * 3 + 2]!;
    image.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}
