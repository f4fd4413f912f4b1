import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { encodePng } from './fixtures';
import { jsImageDecoder } from './js-image-decoder';

function flatRgba(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) out.set([...rgb, 255], i * 4);
  return out;
}

describe('the CLI image decoder (PNG and JPEG in JavaScript)', () => {
  it('decodes a JPEG told apart by its first bytes, resized to the side asked for', async () => {
    const encoded = jpeg.encode(
      { width: 40, height: 20, data: flatRgba(40, 20, [200, 40, 90]) },
      95,
    );
    const rgb = await jsImageDecoder.decode(new Uint8Array(encoded.data), 'row 0', 16);
    expect(rgb.length).toBe(16 * 16 * 3);
    for (const [i, want] of [200, 40, 90].entries())
      expect(Math.abs(rgb[i]! - want)).toBeLessThan(6);
  });

  it('decodes PNGs, grey ones too', async () => {
    const grey = await jsImageDecoder.decode(
      encodePng(2, 2, new Uint8Array([9, 9, 9, 9]), 1),
      'g',
      2,
    );
    expect(Array.from(grey)).toEqual(new Array(12).fill(9));
  });

  it('refuses what is neither, and broken JPEGs, with the name', async () => {
    await expect(jsImageDecoder.decode(new Uint8Array([1, 2, 3]), 'x.bin', 8)).rejects.toThrow(
      'x.bin: is neither a PNG nor a JPEG image',
    );
    await expect(
      jsImageDecoder.decode(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'y.jpg', 8),
    ).rejects.toThrow(/y\.jpg: is not a readable JPEG image/);
    expect(jsImageDecoder.extensions.has('jpeg')).toBe(true);
  });
});
