import katex from 'katex';
import 'katex/dist/katex.min.css';

/**
 * KaTeX and its stylesheet, in a chunk of their own: Tex imports this module dynamically. Never
 * pass text from a URL or a file: trust stays off and the input is a literal from
 * src/experiments/explanations.ts.
 */
export function renderTex(tex: string, element: HTMLElement): void {
  katex.render(tex, element, { throwOnError: false, displayMode: true, trust: false });
}
