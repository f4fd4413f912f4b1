import { describe, expect, it } from 'vitest';
import { DatasetError, memoryFile, type DataFile } from './files';
import {
  cyclicLabels,
  encodePng,
  fixturePixel,
  makeCifarBatch,
  makeIdxImages,
  makeIdxLabels,
  makeImageFolder,
  makeMnistFiles,
  makeTar,
  makeTarGz,
} from './fixtures';
import { CIFAR100_CLASSES } from './formats/cifar';
import { loadDatasetFiles, type LoadOptions } from './load';
import { DEFAULT_MEMORY_LIMIT } from './memory';
import { pngDecoder } from './png-decoder';
import { storedSideFor } from './resize';

const OPTIONS: LoadOptions = {
  requested: null,
  inputSize: 32,
  decoder: pngDecoder,
  memoryLimit: DEFAULT_MEMORY_LIMIT,
};

function filesOf(record: Record<string, Uint8Array>): DataFile[] {
  return Object.entries(record).map(([path, data]) => memoryFile(path, data));
}

async function loadError(
  files: DataFile[],
  options: Partial<LoadOptions> = {},
): Promise<DatasetError> {
  try {
    await loadDatasetFiles(files, { ...OPTIONS, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error('expected the load to fail');
}

function cifarArchive(): Record<string, Uint8Array> {
  return {
    'cifar-10-binary.tar.gz': makeTarGz({
      'cifar-10-batches-bin/batches.meta.txt': CLASS_LINES,
      'cifar-10-batches-bin/data_batch_1.bin': makeCifarBatch('cifar10', cyclicLabels(20, 10)),
      'cifar-10-batches-bin/data_batch_2.bin': makeCifarBatch('cifar10', cyclicLabels(20, 10), 20),
      'cifar-10-batches-bin/test_batch.bin': makeCifarBatch('cifar10', cyclicLabels(10, 10), 40),
      'cifar-10-batches-bin/readme.html': '<p>hi</p>',
    }),
  };
}
const CLASS_LINES = 'plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n';

describe('CIFAR binary', () => {
  it('reads the official .tar.gz layout: train batches, test batch, class names, HWC pixels', async () => {
    const { kind, dataset, validation } = await loadDatasetFiles(filesOf(cifarArchive()), OPTIONS);
    expect(kind).toBe('cifar10');
    expect(validation).toBe('files');
    expect(dataset.train.count).toBe(40);
    expect(dataset.val.count).toBe(10);
    expect(dataset.classNames[1]).toBe('car');
    expect([dataset.height, dataset.width]).toEqual([32, 32]);
    // Image 25 (second batch, record 5): label 5, pixel (y 3, x 7), all channels.
    const at = 25 * 3072 + (3 * 32 + 7) * 3;
    expect(dataset.train.labels[25]).toBe(5);
    for (let c = 0; c < 3; c++)
      expect(dataset.train.images[at + c]).toBe(fixturePixel(5, 25, 3, 7, c));
    expect(dataset.val.images[(2 * 32 + 1) * 3 + 1]).toBe(fixturePixel(0, 40, 2, 1, 1));
  });

  it('reads CIFAR-100 train.bin/test.bin (fine labels) and its built-in class names', async () => {
    const { kind, dataset } = await loadDatasetFiles(
      filesOf({
        'train.bin': makeCifarBatch(
          'cifar100',
          cyclicLabels(30, 100).map((l) => (l * 7) % 100),
        ),
        'test.bin': makeCifarBatch('cifar100', [99, 0, 42]),
      }),
      OPTIONS,
    );
    expect(kind).toBe('cifar100');
    expect(CIFAR100_CLASSES).toHaveLength(100);
    expect(dataset.classNames).toHaveLength(100);
    expect(Array.from(dataset.val.labels)).toEqual([99, 0, 42]);
  });

  it('holds out a seeded validation split when only training batches are given', async () => {
    const files = filesOf({ 'data_batch_1.bin': makeCifarBatch('cifar10', cyclicLabels(50, 10)) });
    const a = await loadDatasetFiles(files, OPTIONS);
    const b = await loadDatasetFiles(files, OPTIONS);
    expect(a.validation).toBe('held-out');
    expect(a.dataset.train.count + a.dataset.val.count).toBe(50);
    expect(a.dataset.val.count).toBe(10); // one of each class's five
    expect(Array.from(a.dataset.val.images.subarray(0, 64))).toEqual(
      Array.from(b.dataset.val.images.subarray(0, 64)),
    );
  });

  it('names the file of a truncated batch', async () => {
    const batch = makeCifarBatch('cifar10', cyclicLabels(4, 10)).subarray(0, 3073 * 3 + 100);
    const error = await loadError(filesOf({ 'data_batch_3.bin': batch }));
    expect(error.message).toMatch(
      /^data_batch_3\.bin: .*not a whole number of 3073-byte CIFAR-10 records/,
    );
  });

  it('recognizes a CIFAR-100 batch loaded as CIFAR-10', async () => {
    const error = await loadError(
      filesOf({ 'data_batch_1.bin': makeCifarBatch('cifar100', cyclicLabels(10, 100)) }),
      { requested: 'cifar10' },
    );
    expect(error.message).toMatch(/looks like a CIFAR-100 batch/);
  });

  it('refuses labels out of range (corrupted data)', async () => {
    const batch = makeCifarBatch('cifar10', cyclicLabels(3, 10));
    batch[3073] = 17;
    const error = await loadError(filesOf({ 'data_batch_1.bin': batch }));
    expect(error.message).toMatch(/record 1 has label 17, outside 0–9/);
  });

  it('refuses a 0-byte batch', async () => {
    const error = await loadError(filesOf({ 'test_batch.bin': new Uint8Array(0) }));
    expect(error.message).toBe('test_batch.bin: is empty (0 bytes)');
  });

  it('explains a truncated .tar.gz', async () => {
    const archive = cifarArchive()['cifar-10-binary.tar.gz']!;
    const error = await loadError(
      filesOf({ 'cifar-10-binary.tar.gz': archive.subarray(0, archive.length >> 1) }),
    );
    expect(error.message).toMatch(/^cifar-10-binary\.tar\.gz: .*truncated/);
  });

  it('explains a corrupted .tar.gz', async () => {
    const archive = cifarArchive()['cifar-10-binary.tar.gz']!.slice();
    for (let i = 100; i < 400; i++) archive[i] = (archive[i]! * 31 + 7) & 0xff;
    const error = await loadError(filesOf({ 'cifar-10-binary.tar.gz': archive }));
    expect(error.message).toMatch(/^cifar-10-binary\.tar\.gz: .*(corrupted|truncated|not a tar)/);
  });

  it('explains a .tar.gz that is not gzip', async () => {
    const error = await loadError(
      filesOf({ 'cifar-10-binary.tar.gz': new TextEncoder().encode('<html>404</html>') }),
    );
    expect(error.message).toMatch(/not gzip data \(wrong magic number\)/);
  });

  it('explains a tar archive cut inside an entry', async () => {
    const tar = makeTar({ 'data_batch_1.bin': makeCifarBatch('cifar10', cyclicLabels(5, 10)) });
    const error = await loadError(filesOf({ 'batches.tar': tar.subarray(0, 4000) }));
    expect(error.message).toMatch(
      /batches\.tar: the archive is truncated \(it ends inside "data_batch_1\.bin"/,
    );
  });

  it('refuses a dataset over the memory limit, with the figure', async () => {
    const error = await loadError(filesOf(cifarArchive()), { memoryLimit: 100_000 });
    expect(error.message).toMatch(
      /needs about \d+ KB of memory while loading, more than the 98 KB limit/,
    );
  });
});

describe('MNIST IDX', () => {
  it.each([false, true])(
    'reads the four files (gzip %s), replicating gray to RGB',
    async (gzip) => {
      const { kind, dataset } = await loadDatasetFiles(
        filesOf(makeMnistFiles(30, 12, gzip)),
        OPTIONS,
      );
      expect(kind).toBe('mnist');
      expect(dataset.train.count).toBe(30);
      expect(dataset.val.count).toBe(12);
      expect([dataset.height, dataset.width]).toEqual([28, 28]);
      const at = (7 * 28 * 28 + 4 * 28 + 9) * 3;
      const v = fixturePixel(0, 7, 4, 9, 0);
      expect(Array.from(dataset.train.images.subarray(at, at + 3))).toEqual([v, v, v]);
      expect(dataset.train.labels[7]).toBe(7);
      expect(dataset.classNames[0]).toBe('0');
    },
  );

  it('uses Fashion-MNIST class names when that dataset is chosen', async () => {
    const { kind, dataset } = await loadDatasetFiles(filesOf(makeMnistFiles(10, 10, true)), {
      ...OPTIONS,
      requested: 'fashion-mnist',
    });
    expect(kind).toBe('fashion-mnist');
    expect(dataset.classNames[9]).toBe('Ankle boot');
  });

  it('refuses a wrong magic number', async () => {
    const files = makeMnistFiles(10, 10, false);
    files['train-images-idx3-ubyte'] = new TextEncoder().encode('PK\u0003\u0004 not idx at all');
    const error = await loadError(filesOf(files));
    expect(error.message).toMatch(/^train-images-idx3-ubyte: wrong magic number 0x504b0304/);
  });

  it('refuses a label/image count mismatch', async () => {
    const files = makeMnistFiles(10, 10, false);
    files['train-labels-idx1-ubyte'] = makeIdxLabels(cyclicLabels(9, 10));
    const error = await loadError(filesOf(files));
    expect(error.message).toBe(
      'train-labels-idx1-ubyte: has 9 labels but train-images-idx3-ubyte has 10 images',
    );
  });

  it('refuses a truncated image file and a truncated gzip', async () => {
    const files = makeMnistFiles(10, 10, false);
    files['t10k-images-idx3-ubyte'] = files['t10k-images-idx3-ubyte']!.subarray(0, 1000);
    expect((await loadError(filesOf(files))).message).toMatch(
      /^t10k-images-idx3-ubyte: is truncated: the header announces 10 images of 28×28/,
    );
    const gz = makeMnistFiles(10, 10, true);
    gz['train-labels-idx1-ubyte.gz'] = gz['train-labels-idx1-ubyte.gz']!.subarray(0, 20);
    expect((await loadError(filesOf(gz))).message).toMatch(
      /^train-labels-idx1-ubyte\.gz: .*truncated/,
    );
  });

  it('refuses 0-byte files, mixed image sizes and missing labels', async () => {
    const empty = makeMnistFiles(10, 10, false);
    empty['t10k-labels-idx1-ubyte'] = new Uint8Array(0);
    expect((await loadError(filesOf(empty))).message).toBe(
      't10k-labels-idx1-ubyte: is empty (0 bytes)',
    );
    const mixed = makeMnistFiles(10, 10, false);
    mixed['t10k-images-idx3-ubyte'] = makeIdxImages(10, 32, 32);
    expect((await loadError(filesOf(mixed))).message).toMatch(
      /32×32 but .* has 28×28: mixed sizes/,
    );
    const noLabels = makeMnistFiles(10, 10, false);
    delete noLabels['t10k-labels-idx1-ubyte'];
    expect((await loadError(filesOf(noLabels))).message).toMatch(
      /^t10k-images-idx3-ubyte: no matching test .*labels file/,
    );
  });
});

describe('image folders', () => {
  const CLASSES = ['cat', 'dog', 'fox'];
  const side = storedSideFor(32);

  it('reads class sub-folders of mixed-size PNGs, resized, with a seeded split', async () => {
    const folder = makeImageFolder('pets', CLASSES, 10);
    const { kind, dataset, validation } = await loadDatasetFiles(filesOf(folder), OPTIONS);
    expect(kind).toBe('folder');
    expect(dataset.name).toBe('pets');
    expect(dataset.classNames).toEqual(CLASSES);
    expect(validation).toBe('held-out');
    expect(dataset.train.count + dataset.val.count).toBe(30);
    expect(dataset.val.count).toBe(3);
    expect([dataset.height, dataset.width]).toEqual([side, side]);
    expect(dataset.train.images.length).toBe(dataset.train.count * side * side * 3);
    // Class colour survives the resize: the mean red of a "dog" image is near 90.
    const dog = dataset.train.labels.indexOf(1);
    const pixels = dataset.train.images.subarray(
      dog * side * side * 3,
      (dog + 1) * side * side * 3,
    );
    let red = 0;
    for (let i = 0; i < pixels.length; i += 3) red += pixels[i]!;
    expect(red / (side * side)).toBeCloseTo(90, -1);
  });

  it('uses train/ and val/ folders when present', async () => {
    const folder = makeImageFolder('imagenette', CLASSES, 8, { split: true });
    const { dataset, validation } = await loadDatasetFiles(filesOf(folder), OPTIONS);
    expect(validation).toBe('files');
    expect(dataset.train.count).toBe(18);
    expect(dataset.val.count).toBe(6);
  });

  it('reads an image folder packed as .tar.gz', async () => {
    const archive = makeTarGz(makeImageFolder('pets', CLASSES, 4));
    const { kind, dataset } = await loadDatasetFiles(filesOf({ 'pets.tgz': archive }), OPTIONS);
    expect(kind).toBe('folder');
    expect(dataset.classNames).toEqual(CLASSES);
  });

  it('skips non-image, 0-byte and undecodable files with a message naming each', async () => {
    const folder = makeImageFolder('pets', CLASSES, 5);
    folder['pets/cat/notes.txt'] = new TextEncoder().encode('not an image');
    folder['pets/dog/empty.png'] = new Uint8Array(0);
    folder['pets/fox/broken.png'] = encodePng(8, 8, new Uint8Array(192)).subarray(0, 40);
    folder['pets/.DS_Store'] = new Uint8Array(10);
    const { dataset, warnings } = await loadDatasetFiles(filesOf(folder), OPTIONS);
    expect(dataset.train.count + dataset.val.count).toBe(15);
    expect(warnings).toEqual([
      'pets/cat/notes.txt: not an image (JPEG, PNG or WebP expected), skipped',
      'pets/dog/empty.png: empty file (0 bytes), skipped',
      expect.stringMatching(/^pets\/fox\/broken\.png: the PNG data is truncated.*; skipped$/),
    ]);
  });

  it('refuses an empty class folder', async () => {
    const folder = makeImageFolder('pets', CLASSES, 3);
    const error = await loadError(filesOf(folder), {
      directories: ['pets/cat', 'pets/dog', 'pets/fox', 'pets/owl'],
    });
    expect(error.message).toMatch(/^pets\/owl: class folder has no usable images/);
    const onlyText = makeImageFolder('pets', CLASSES, 3);
    onlyText['pets/owl/readme.txt'] = new TextEncoder().encode('hoot');
    expect((await loadError(filesOf(onlyText))).message).toMatch(
      /^pets\/owl: class folder has no usable images/,
    );
  });

  it('refuses a folder with a single class', async () => {
    const error = await loadError(filesOf(makeImageFolder('pets', ['cat'], 4)));
    expect(error.message).toMatch(/only one class \("cat"\)/);
  });

  it('refuses JPEGs in the CLI decoder with the reason', async () => {
    const folder = makeImageFolder('pets', CLASSES, 2);
    folder['pets/cat/photo.jpg'] = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2]);
    const error = await loadError(filesOf(folder));
    expect(error.message).toMatch(
      /^pets\/cat\/photo\.jpg: cannot be decoded here \(the command line decodes PNG only/,
    );
  });

  it('says what it expected when nothing looks like a dataset', async () => {
    const error = await loadError(filesOf({ 'notes.txt': new Uint8Array(3) }));
    expect(error.message).toMatch(/no dataset found in 1 file \(notes\.txt\): expected CIFAR/);
  });
});
