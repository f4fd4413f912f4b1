import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cyclicLabels,
  makeCifarBatch,
  makeImageFolder,
  makeMnistFiles,
  makeTarGz,
} from '../src/data/fixtures';
import { loadDataPath } from './data';

function writeAll(root: string, files: Record<string, Uint8Array>): void {
  for (const [name, data] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}

describe('CLI --data', () => {
  const root = mkdtempSync(join(tmpdir(), 'tricks-cli-data-'));
  writeAll(root, {
    'cifar-10-binary.tar.gz': makeTarGz({
      'cifar-10-batches-bin/data_batch_1.bin': makeCifarBatch('cifar10', cyclicLabels(20, 10)),
      'cifar-10-batches-bin/test_batch.bin': makeCifarBatch('cifar10', cyclicLabels(10, 10)),
    }),
    ...Object.fromEntries(
      Object.entries(makeMnistFiles(20, 10, true)).map(([k, v]) => [`mnist/${k}`, v]),
    ),
    ...makeImageFolder('pets', ['cat', 'dog'], 5),
  });
  mkdirSync(join(root, 'pets', 'owl'));

  it('reads a CIFAR archive from a file path', async () => {
    const { kind, dataset } = await loadDataPath(join(root, 'cifar-10-binary.tar.gz'), {
      dataset: 'cifar10',
      input: 32,
    });
    expect(kind).toBe('cifar10');
    expect([dataset.train.count, dataset.val.count]).toEqual([20, 10]);
  });

  it('reads a folder of IDX files and detects the format when dataset is synthetic', async () => {
    const { kind, dataset } = await loadDataPath(join(root, 'mnist'), {
      dataset: 'synthetic',
      input: 32,
    });
    expect(kind).toBe('mnist');
    expect(dataset.train.count).toBe(20);
  });

  it('sees empty class folders on disk', async () => {
    await expect(
      loadDataPath(join(root, 'pets'), { dataset: 'folder', input: 32 }),
    ).rejects.toThrow(/pets\/owl: class folder has no usable images/);
  });

  it('names a path that does not exist', async () => {
    await expect(
      loadDataPath(join(root, 'nope'), { dataset: 'folder', input: 32 }),
    ).rejects.toThrow(/nope: does not exist/);
  });
});
