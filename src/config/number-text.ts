/**
 * The one rule for a number written as text, in a URL, a form field or a command-line flag:
 * plain decimal notation, trimmed ("0.25", "128", "1e-4", "-3"). Not "", "0x10", "Infinity",
 * "1,5" or "12abc", which JavaScript's Number() would take or turn into something unexpected.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number `text` writes, or null when it is not plain decimal notation. */
export function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : null;
}
