import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useEffect, useRef } from 'react';

/**
 * Typesets one of this app's own TeX constants with KaTeX. Never pass text from a URL or a file:
 * trust stays off and the input is a literal from src/experiments/explanations.ts.
 */
export function Tex({ tex, label }: { tex: string; label: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    katex.render(tex, ref.current, { throwOnError: false, displayMode: true, trust: false });
  }, [tex]);
  return <span className="tex" ref={ref} role="math" aria-label={label} />;
}
