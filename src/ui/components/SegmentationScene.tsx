import { useMemo } from 'react';
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
  /** The predicted labels, input × input, row-major (drawn at the same size as the scene). */
  predicted: readonly number[];
}) {
  const { width, height, pixels } = images;
  const area = width * height;
  const image = useMemo(() => rgbToRgba(pixels, index * area * 3, area), [pixels, index, area]);
  const truth = useMemo(
    () => maskRgba(trueMasks.subarray(index * area, (index + 1) * area)),
    [trueMasks, index, area],
  );
  const prediction = useMemo(() => maskRgba(predicted), [predicted]);
  const predictedSide = Math.round(Math.sqrt(predicted.length));
  const name = `validation scene ${index + 1}`;
  const tiles = [
    { caption: 'image', name: 'image', rgba: image, width, height },
    { caption: 'true mask', name: 'true mask', rgba: truth, width, height },
    {
      caption: 'predicted',
      name: 'predicted mask',
      rgba: prediction,
      width: predictedSide,
      height: predictedSide,
    },
  ];
  return (
    <div className="segmentation-scene" role="group" aria-label={name}>
      {tiles.map((tile) => (
        <figure key={tile.name} className="preview-tile">
          <PixelCanvas
            rgba={tile.rgba}
            width={tile.width}
            height={tile.height}
            label={`${name}: ${tile.name}`}
          />
          <figcaption>{tile.caption}</figcaption>
        </figure>
      ))}
    </div>
  );
}
