/**
 * Run after `vite build` (npm run build): prints the gzipped size of the JavaScript that the page
 * fetches before it can render, and exits 1 when it exceeds the budget. That JavaScript is what
 * dist/index.html names: its module scripts and the chunks it preloads (`modulepreload`, which
 * Vite writes for every static import of the entry). Lazily imported chunks (KaTeX, charts, the
 * training worker) are listed but not counted. Sizes in kB of 1000 bytes, gzip at zlib's default
 * level, as Vite's own build report prints them.
 *
 * Usage: tsx scripts/bundle-size.ts [distDir]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** kB gzipped; measured 151 kB when set. README.md (Build and size budget) states the same number. */
const INITIAL_JS_BUDGET_KB = 165;

function attributes(tag: string): Map<string, string> {
  return new Map([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** The .js files that index.html loads up front, as paths relative to the dist folder. */
function initialScripts(html: string): string[] {
  const found: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const attrs = attributes(tag);
    const url = tag.startsWith('<script')
      ? attrs.get('type') === 'module' && attrs.get('src')
      : attrs.get('rel') === 'modulepreload' && attrs.get('href');
    if (url && url.endsWith('.js')) found.push(url.replace(/^\.?\//, ''));
  }
  return [...new Set(found)];
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

function main(dist: string): number {
  const gzipped = (file: string) => gzipSync(readFileSync(join(dist, file))).length;
  const initial = initialScripts(readFileSync(join(dist, 'index.html'), 'utf8'));
  if (initial.length === 0) {
    console.error(`bundle size: ${dist}/index.html names no module script; is it a Vite build?`);
    return 1;
  }
  let total = 0;
  console.log('initial JavaScript (gzipped):');
  for (const file of initial) {
    const size = gzipped(file);
    total += size;
    console.log(`  ${kB(size).padStart(9)}  ${file}`);
  }
  const lazy = readdirSync(join(dist, 'assets'))
    .map((name) => `assets/${name}`)
    .filter((file) => file.endsWith('.js') && !initial.includes(file))
    .map((file) => `${basename(file)} ${kB(gzipped(file))}`);
  if (lazy.length > 0) console.log(`loaded later, not counted: ${lazy.join(', ')}`);
  const verdict = `${kB(total)} of ${INITIAL_JS_BUDGET_KB} kB budget`;
  if (total > INITIAL_JS_BUDGET_KB * 1000) {
    console.error(`bundle size: initial JavaScript over budget: ${verdict}`);
    return 1;
  }
  console.log(`bundle size: initial JavaScript ${verdict}`);
  return 0;
}

process.exit(main(process.argv[2] ?? 'dist'));
