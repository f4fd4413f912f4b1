import { useEffect, useRef } from 'react';
import type { PredictionSet } from '../../experiments/predictions';
import type { ValidationImages } from '../../worker/protocol';
import { drawRgbImage } from '../draw-pixels';
import { formatPercent } from '../format';

/** The sampled validation images, each captioned "true → predicted (confidence)". */
export function PredictionSamples({
  set,
  samples,
  images,
  nameOf,
}: {
  set: PredictionSet;
  /** Indices into `set`; `images` holds their pixels in this order. */
  samples: number[];
  images: ValidationImages;
  nameOf: (k: number) => string;
}) {
  return (
    <div className="preview-grid" data-testid="prediction-samples">
      {samples.map((index, i) => {
        const label = set.labels[index]!;
        const predicted = set.predictions[index]!;
        const caption =
          `${nameOf(label)} → ${nameOf(predicted)} ` +
          `(${formatPercent(set.confidences[index]!)})`;
        return (
          <SampleTile
            key={index}
            images={images}
            index={i}
            caption={caption}
            wrong={label !== predicted}
          />
        );
      })}
    </div>
  );
}

function SampleTile({
  images,
  index,
  caption,
  wrong,
}: {
  images: ValidationImages;
  index: number;
  caption: string;
  wrong: boolean;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const { width, height, pixels } = images;
    drawRgbImage(ref.current, pixels, index * width * height * 3, width, height);
  }, [images, index]);
  return (
    <figure className={wrong ? 'preview-tile prediction-wrong' : 'preview-tile'}>
      <canvas
        ref={ref}
        width={images.width}
        height={images.height}
        role="img"
        aria-label={caption}
      />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
