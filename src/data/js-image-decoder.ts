import jpeg from 'jpeg-js';
import { DatasetError } from './files';
import { decodePng, isPng, MAX_PNG_PIXELS } from './formats/png';
import type { ImageDecoder } from './load';
import { resizeShorterSideCenterCrop } from './resize';

/**
 * The decoder of the CLI, tests and benchmarks, in plain JavaScript: PNG (our own) and JPEG
 * (jpeg-js), told apart by their first bytes, as Parquet rows carry no file names.
 */

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function isJpeg(bytes: Uint8Array): boolean {
  return JPEG_MAGIC.every((b, i) => bytes[i] === b);
}

/** jpeg-js's own guard against decompression bombs, set to the PNG decoder's pixel limit. */
const MAX_MEGAPIXELS = MAX_PNG_PIXELS / 1e6;

function decodeJpeg(
  bytes: Uint8Array,
  name: string,
): { pixels: Uint8Array; width: number; height: number } {
  let image;
  try {
    image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: MAX_MEGAPIXELS,
    });
  } catch (error) {
    throw new DatasetError(
      name,
      `is not a readable JPEG image (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { pixels: image.data, width: image.width, height: image.height };
}

export const jsImageDecoder: ImageDecoder = {
  extensions: new Set(['png', 'jpg', 'jpeg']),
  limitation:
    'the command line decodes PNG and JPEG only; convert the images or load the folder in the page',
  async decode(bytes, name, side) {
    if (isJpeg(bytes)) {
      const image = decodeJpeg(bytes, name);
      return resizeShorterSideCenterCrop(image.pixels, image.width, image.height, side);
    }
    if (!isPng(bytes)) throw new DatasetError(name, 'is neither a PNG nor a JPEG image');
    const image = decodePng(bytes, name);
    return resizeShorterSideCenterCrop(image.pixels, image.width, image.height, side);
  },
};
