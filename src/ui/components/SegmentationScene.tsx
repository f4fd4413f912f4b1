import { useMemo } from 'react';
import { cropNearest } from '../../data/mask-crop';
import { validationBox } from '../../tricks/preprocessing';
import type { ValidationImages } from '../../worker/protocol';
import { rgbToRgba } from '../draw-pixels';
import { maskRgba } from '../mask-colors';
import { PixelCanvas } from './PixelCanvas';

/** One validation scene: the image, its true mask and the predicted mask, side by side. */
export function SegmentationScene({
  images,
  trueMasks,
  index,
  predicted,
}: {
  /** The first validation scenes' pixels. */
  images: ValidationImages;
  /** Their true masks, height × width labels each. */
  trueMasks: Uint8Array;
  /** 0-based; names count from 1. */
  index: number;
  /** The predicted labels, input × input, row-major, of the validation crop. */
  predicted: readonly number[];
}) {
  const { width, height, pixels } = images;
  const area = width * height;
  const side = Math.round(Math.sqrt(predicted.length));
  // The image and its mask in the frame the network saw: the validation crop (the centre, as
  // ImageNet's 224 of 256) at the model's input size, so the three line up pixel for pixel.
  const { image, truth } = useMemo(() => {
    const box = Float32Array.from(validationBox(height, width));
    const crop = (values: Uint8Array, channels: number) =>
      cropNearest(values, channels, box, 1, height, width, side);
    return {
      image: rgbToRgba(
        crop(pixels.subarray(index * area * 3, (index + 1) * area * 3), 3),
        0,
        side * side,
      ),
      truth: maskRgba(crop(trueMasks.subarray(index * area, (index + 1) * area), 1)),
    };
  }, [pixels, trueMasks, index, area, height, width, side]);
  const prediction = useMemo(() => maskRgba(predicted), [predicted]);
  const name = `validation scene ${index + 1}`;
  const tiles = [
    { caption: 'image', name: 'image', rgba: image },
    { caption: 'true mask', name: 'true mask', rgba: truth },
    { caption: 'predicted', name: 'predicted mask', rgba: prediction },
  ];
  return (
    <div className="segmentation-scene" role="group" aria-label={name}>
      {tiles.map((tile) => (
        <figure key={tile.name} className="preview-tile">
          <PixelCanvas
            rgba={tile.rgba}
            width={side}
            height={side}
            label={`${name}: ${tile.name}`}
          />
          <figcaption>{tile.caption}</figcaption>
        </figure>
      ))}
    </div>
  );
}
