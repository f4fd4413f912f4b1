import { useEffect, useRef, useState } from 'react';

/**
 * KaTeX (about 77 kB of gzipped JavaScript, plus its stylesheet and fonts) is fetched when the
 * first formula comes into view, not with the page: formulas appear only in the Explain cards,
 * which start collapsed. Until then, or if the fetch fails, the TeX source is shown.
 */
const loadKatex = () => import('./katex-render');

/** Typesets one of this app's own TeX constants (see katex-render.ts). */
export function Tex({ tex, label }: { tex: string; label: string }) {
  const outer = useRef<HTMLSpanElement>(null);
  const target = useRef<HTMLSpanElement>(null);
  const [typeset, setTypeset] = useState<string | null>(null);
  useEffect(() => {
    const element = outer.current;
    if (!element) return;
    let active = true;
    // Content of a closed <details> never intersects the viewport: opening the card triggers this.
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      loadKatex().then(
        ({ renderTex }) => {
          if (!active || !target.current) return;
          renderTex(tex, target.current);
          setTypeset(tex);
        },
        () => {}, // e.g. offline after a new deployment: the TeX source stays.
      );
    });
    observer.observe(element);
    return () => {
      active = false;
      observer.disconnect();
    };
  }, [tex]);
  // KaTeX writes into the inner span only, which React never renders children into.
  return (
    <span className="tex" ref={outer} role="math" aria-label={label}>
      {typeset !== tex && <code className="tex-source">{tex}</code>}
      <span ref={target} />
    </span>
  );
}
