import type { ImageDecoder } from './load';
import { decodePng } from './formats/png';
import { resizeShorterSideCenterCrop } from './resize';

/** The decoder of the CLI, tests and benchmarks: PNG only, in plain JavaScript. */
export const pngDecoder: ImageDecoder = {
  extensions: new Set(['png']),
  limitation:
    'the command line decodes PNG only, without extra packages; convert the images to PNG or load the folder in the page',
  async decode(bytes, name, side) {
    const image = decodePng(bytes, name);
    return resizeShorterSideCenterCrop(image.pixels, image.width, image.height, side);
  },
};
