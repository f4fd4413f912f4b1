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

/** Paints RGBA pixels (4 bytes per pixel, row-major) onto a canvas. */
export function drawRgba(
  canvas: HTMLCanvasElement | null,
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
): void {
  const ctx = canvas?.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(width, height);
  image.data.set(rgba);
  ctx.putImageData(image, 0, 0);
}

/** `count` RGB pixels (3 bytes each) of `pixels` from `offset`, as opaque RGBA for ImageData. */
export function rgbToRgba(pixels: Uint8Array, offset: number, count: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(count * 4);
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = pixels[offset + p * 3 + c]!;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}
