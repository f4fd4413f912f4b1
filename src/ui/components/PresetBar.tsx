import { PRESETS, presetQuery, type Preset } from '../../config/presets';

/** One click sets a documented configuration of the paper; each is also a link. */
export function PresetBar({
  onApply,
  disabled,
}: {
  onApply: (preset: Preset) => void;
  disabled: boolean;
}) {
  return (
    <section className="presets" aria-labelledby="presets-heading">
      <h2 id="presets-heading">Presets</h2>
      <ul>
        {PRESETS.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              disabled={disabled}
              title={p.description}
              aria-describedby={`preset-${p.id}-desc`}
              onClick={() => onApply(p)}
            >
              {p.section} {p.title}
            </button>{' '}
            <a href={`?${presetQuery(p)}`} aria-label={`Link to the ${p.title} preset`}>
              link
            </a>
            <span id={`preset-${p.id}-desc`} className="visually-hidden">
              {p.description}
            </span>
          </li>
        ))}
      </ul>
      <p className="muted small">
        Presets set the tricks and optimization of their section; width, input, dataset sizes,
        epochs and seed stay as they are.
      </p>
    </section>
  );
}
