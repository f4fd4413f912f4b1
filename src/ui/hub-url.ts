import { DEFAULT_HUB_URL } from '../data/hub/catalog';

/**
 * The Hugging Face Hub the page downloads from. Tests point it at a local server through this
 * localStorage key (set before the page loads); no URL parameter can, so a shared link always
 * downloads from huggingface.co.
 */
export const TEST_HUB_URL_KEY = 'tricks-playground.test-hub-url';

export function hubUrlForPage(): string {
  try {
    return localStorage.getItem(TEST_HUB_URL_KEY) || DEFAULT_HUB_URL;
  } catch {
    return DEFAULT_HUB_URL;
  }
}
