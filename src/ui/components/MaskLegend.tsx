import { SEGMENTATION_CLASSES } from '../../data/synthetic-scenes';
import { cssColor, MASK_COLORS } from '../mask-colors';

/** Which colour of the masks is which class. */
export function MaskLegend() {
  return (
    <ul className="mask-legend" aria-label="Mask colours" data-testid="mask-legend">
      {SEGMENTATION_CLASSES.map((name, label) => (
        <li key={name}>
          <span
            className="mask-swatch"
            style={{ background: cssColor(MASK_COLORS[label]!) }}
            aria-hidden="true"
          />
          {name}
        </li>
      ))}
    </ul>
  );
}
