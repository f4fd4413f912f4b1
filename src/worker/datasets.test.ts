import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetError } from '../data/files';
import { DEFAULT_CONFIG } from '../config/defaults';
import { datasetForConfig, loadIntoWorker } from './datasets';

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

describe('datasets from the Hugging Face Hub', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a malformed id is refused before anything is downloaded', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const request = {
      kind: 'hub',
      dataset: 'hub',
      id: 'not an id',
      hubUrl: 'https://hub.test',
    } as const;
    await expect(
      loadIntoWorker(request, OPTIONS, () => {}, new AbortController().signal),
    ).rejects.toThrow(
      'not an id: is not a Hugging Face dataset id: it should look like owner/name',
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a run on a Hub dataset that is not loaded says which id to load', async () => {
    const config = { ...DEFAULT_CONFIG, dataset: 'hub' as const, hub: 'owner/name' };
    await expect(datasetForConfig(config, () => {})).rejects.toThrow(
      'Hugging Face dataset owner/name is not loaded: load it in the Data section first.',
    );
  });
});
