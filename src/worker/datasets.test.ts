import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetError } from '../data/files';
import { loadIntoWorker } from './datasets';

const OPTIONS = { requested: null, inputSize: 32 };

function loadUrl(url: string): Promise<unknown> {
  return loadIntoWorker({ kind: 'url', url }, OPTIONS, () => {}, new AbortController().signal);
}

describe('dataset from a URL', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a malformed %-escape in the address is a DatasetError before any download', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    for (const url of ['https://host/a%E0.tar.gz', 'https://host/data/%zz.bin', 'https://h/%']) {
      const error = await loadUrl(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).file).toBe(url);
      expect((error as Error).message).toMatch(/malformed %-escape/);
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a server's malformed Content-Disposition name falls back to the address's name", async () => {
    const bytes = new Uint8Array(100).fill(7);
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(bytes, {
            headers: { 'content-disposition': "attachment; filename*=UTF-8''bad%E0.bin" },
          }),
      ),
    );
    // The bytes are no dataset: the loader's error must name the file as the address does.
    const error = await loadUrl('https://host/my%20data.bin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toContain('my data.bin');
  });
});
