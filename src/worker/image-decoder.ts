import { IMAGE_EXTENSIONS } from '../data/formats/folder';
import type { ImageDecoder } from '../data/load';

/**
 * The worker's image decoder: the browser's own JPEG/PNG/WebP/… decoders through
 * createImageBitmap, resized on an OffscreenCanvas (shorter side to `side`, centre crop).
 */

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

function contextFor(side: number): OffscreenCanvasRenderingContext2D {
  if (!canvas || canvas.width !== side) {
    canvas = new OffscreenCanvas(side, side);
    context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser has no 2D canvas in workers');
  }
  return context!;
}

export const browserDecoder: ImageDecoder = {
  extensions: IMAGE_EXTENSIONS,
  limitation: 'this browser cannot decode this image type',
  async decode(bytes, _name, side) {
    const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    try {
      const crop = Math.min(bitmap.width, bitmap.height);
      const ctx = contextFor(side);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.clearRect(0, 0, side, side);
      ctx.drawImage(
        bitmap,
        (bitmap.width - crop) / 2,
        (bitmap.height - crop) / 2,
        crop,
        crop,
        0,
        0,
        side,
        side,
      );
      const rgba = ctx.getImageData(0, 0, side, side).data;
      const rgb = new Uint8Array(side * side * 3);
      for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
        rgb[j] = rgba[i]!;
        rgb[j + 1] = rgba[i + 1]!;
        rgb[j + 2] = rgba[i + 2]!;
      }
      return rgb;
    } finally {
      bitmap.close();
    }
  },
};
