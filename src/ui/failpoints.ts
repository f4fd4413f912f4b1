import { FAILPOINTS_STORAGE_KEY } from '../config/failpoints';

/**
 * The failpoints the page passes to its worker (src/config/failpoints.ts): faults injected for
 * testing, set in this localStorage key before the page loads. Never read from a URL, so a shared
 * link cannot switch them on.
 */
export function failpointsForPage(): string {
  try {
    return localStorage.getItem(FAILPOINTS_STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}
