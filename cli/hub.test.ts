import { existsSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_NAMES } from '../src/data/hub/fixtures';
import { createMockHub } from '../scripts/mock-hub-server';
import { hubNameInQuery, hubTarget, loadHubDataset, type HubEnv } from './hub';

describe('CLI --hub', () => {
  const server = createMockHub();
  let env: HubEnv;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    env = {
      hubUrl: `http://127.0.0.1:${port}`,
      cacheFolder: mkdtempSync(join(tmpdir(), 'tricks-cli-hub-')),
    };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads a catalog dataset into the cache folder once, then reads it offline', async () => {
    const lines: string[] = [];
    const loaded = await loadHubDataset('cifar10', { input: 32 }, (l) => lines.push(l), env);
    expect(loaded.kind).toBe('cifar10');
    expect(loaded.dataset.classNames).toEqual(CIFAR10_NAMES);
    expect([loaded.dataset.train.count, loaded.dataset.val.count]).toEqual([40, 10]);
    const folder = join(env.cacheFolder, 'uoft-cs', 'cifar10');
    expect(existsSync(join(folder, 'parquet.json'))).toBe(true);
    expect(existsSync(join(folder, 'plain_text', 'train', '0.parquet'))).toBe(true);
    expect(lines.some((l) => l.startsWith('Asking'))).toBe(true);

    const offline = { ...env, hubUrl: 'http://127.0.0.1:9' };
    const again = await loadHubDataset('cifar10', { input: 32 }, () => {}, offline);
    expect(again.dataset.train.count).toBe(40);
  });

  it('any dataset id, with the class names of its metadata; MNIST-shaped grey images', async () => {
    const shapes = await loadHubDataset('tests/shapes', { input: 32 }, () => {}, env);
    expect(shapes.kind).toBe('hub');
    expect(shapes.dataset.name).toBe('tests/shapes');
    expect(shapes.dataset.classNames).toEqual(['circle', 'square', 'triangle']);
    expect(shapes.validation).toBe('held-out');
    const mnist = await loadHubDataset('mnist', { input: 32 }, () => {}, env);
    expect([mnist.dataset.height, mnist.dataset.train.count]).toEqual([28, 30]);
  });

  it('explains unknown names and ids, an unreachable Hub, and removes a damaged copy', async () => {
    expect(() => hubTarget('imagenet')).toThrow(/neither a dataset of the catalog/);
    await expect(loadHubDataset('nobody/nothing', { input: 32 }, () => {}, env)).rejects.toThrow(
      /no such dataset on the Hugging Face Hub/,
    );
    const offline = { ...env, hubUrl: 'http://127.0.0.1:9' };
    await expect(loadHubDataset('cifar100', { input: 32 }, () => {}, offline)).rejects.toThrow(
      /could not reach the Hugging Face Hub/,
    );
    await expect(loadHubDataset('tests/truncated', { input: 32 }, () => {}, env)).rejects.toThrow(
      /truncated.*was removed: run again/,
    );
    expect(existsSync(join(env.cacheFolder, 'tests', 'truncated'))).toBe(false);
  });

  it('reads the Hub dataset a page link names', () => {
    expect(hubNameInQuery({ dataset: 'cifar10', source: 'hub', hub: '' })).toBe('cifar10');
    expect(hubNameInQuery({ dataset: 'cifar10', source: 'files', hub: '' })).toBeNull();
    expect(hubNameInQuery({ dataset: 'hub', source: 'files', hub: 'a/b' })).toBe('a/b');
  });
});
