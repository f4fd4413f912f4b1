import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DatasetError, LoadCancelled } from '../files';
import { fixturePixel } from '../fixtures';
import { pngDecoder } from '../png-decoder';
import { anyHubSource, HUB_CATALOG, isHubId } from './catalog';
import { fetchHubPlan, downloadHubFiles, type HubClient } from './client';
import {
  CIFAR10_NAMES,
  cifarShapedRows,
  makeHubParquet,
  mnistShapedRows,
  MNIST_NAMES,
} from './fixtures';
import { hubColumns } from './features';
import { parquetListUrl, parseParquetListing, planHubFiles } from './listing';
import { loadHubParquet, type HubLoadOptions, type HubParquetFile } from './load';

const cifarSource = HUB_CATALOG.cifar10;

function options(overrides: Partial<HubLoadOptions> = {}): HubLoadOptions {
  return {
    kind: 'cifar10',
    title: 'CIFAR-10',
    source: cifarSource,
    inputSize: 32,
    decoder: pngDecoder,
    memoryLimit: 2 ** 31,
    ...overrides,
  };
}

function cifarFiles(train = 20, test = 10): HubParquetFile[] {
  return [
    {
      name: 'train/0.parquet',
      role: 'train',
      bytes: makeHubParquet({ classNames: CIFAR10_NAMES, ...cifarShapedRows(train) }),
    },
    {
      name: 'test/0.parquet',
      role: 'val',
      bytes: makeHubParquet({ classNames: CIFAR10_NAMES, ...cifarShapedRows(test, train) }),
    },
  ];
}

describe('Hub ids', () => {
  it('accepts owner/name and refuses anything else', () => {
    for (const id of ['uoft-cs/cifar10', 'zalando-datasets/fashion_mnist', 'a/b', 'A1/x.y_z'])
      expect(isHubId(id), id).toBe(true);
    for (const id of ['cifar10', 'a/b/c', '../x', 'a/../b', 'a/b--c', '-a/b', 'a/b.', 'a b/c', ''])
      expect(isHubId(id), id).toBe(false);
  });
});

describe('the list of Parquet files', () => {
  const listing = {
    plain_text: {
      train: [
        'https://huggingface.co/api/datasets/uoft-cs/cifar10/parquet/plain_text/train/0.parquet',
      ],
      test: [
        'https://huggingface.co/api/datasets/uoft-cs/cifar10/parquet/plain_text/test/0.parquet',
      ],
    },
  };

  it('builds the documented endpoint', () => {
    expect(parquetListUrl('https://huggingface.co/', 'uoft-cs/cifar10')).toBe(
      'https://huggingface.co/api/datasets/uoft-cs/cifar10/parquet',
    );
  });

  it('takes train for training and test (else validation) for validation', () => {
    const plan = planHubFiles(parseParquetListing(listing, 'x'), cifarSource);
    expect(plan.config).toBe('plain_text');
    expect(plan.files.map((f) => [f.split, f.role])).toEqual([
      ['train', 'train'],
      ['test', 'val'],
    ]);
    const imagenette = planHubFiles(
      {
        '160px': { train: ['https://h/a'], validation: ['https://h/b'] },
        full_size: { train: ['https://h/c'] },
      },
      HUB_CATALOG.imagenette,
    );
    expect(imagenette.config).toBe('160px');
    expect(imagenette.files.map((f) => f.split)).toEqual(['train', 'validation']);
  });

  it('explains listings it cannot use', () => {
    expect(() => parseParquetListing({ error: 'x' }, 'a/b')).toThrow(/unexpected list/);
    expect(() => planHubFiles({}, anyHubSource('a/b'))).toThrow(/no Parquet files/);
    expect(() => planHubFiles({ x: { test: ['https://h/a'] } }, anyHubSource('a/b'))).toThrow(
      /no "train" split/,
    );
    expect(() =>
      planHubFiles(
        { x: { train: ['https://h/a'] }, y: { train: ['https://h/b'] } },
        anyHubSource('a/b'),
      ),
    ).toThrow(/several configs \(x, y\)/);
  });
});

describe('columns and class names from the "huggingface" metadata', () => {
  const meta = (features: object) => JSON.stringify({ info: { features } });
  const image = { _type: 'Image' };
  const label = (names: string[]) => ({ _type: 'ClassLabel', names });

  it('finds the one image and one class-label column', () => {
    expect(hubColumns(meta({ image, label: label(['a', 'b']) }), anyHubSource('a/b'), 'f')).toEqual(
      {
        image: 'image',
        label: 'label',
        classNames: ['a', 'b'],
      },
    );
  });

  it('prefers the catalog column where there are several (CIFAR-100 fine labels)', () => {
    const features = {
      img: image,
      fine_label: label(['x', 'y', 'z']),
      coarse_label: label(['p', 'q']),
    };
    expect(hubColumns(meta(features), HUB_CATALOG.cifar100, 'f').label).toBe('fine_label');
    expect(() => hubColumns(meta(features), anyHubSource('a/b'), 'f')).toThrow(
      /several class-label columns \(fine_label, coarse_label\)/,
    );
  });

  it('refuses datasets without an image or a class-label column, or without metadata', () => {
    expect(() => hubColumns(meta({ label: label(['a', 'b']) }), anyHubSource('a/b'), 'f')).toThrow(
      /has no image column/,
    );
    expect(() =>
      hubColumns(
        meta({ image, text: { _type: 'Value', dtype: 'string' } }),
        anyHubSource('a/b'),
        'f',
      ),
    ).toThrow(/has no class-label column/);
    expect(() => hubColumns(undefined, anyHubSource('a/b'), 'f')).toThrow(
      /no "huggingface" metadata/,
    );
    expect(() => hubColumns('{', anyHubSource('a/b'), 'f')).toThrow(/not valid JSON/);
  });
});

describe('Parquet files → dataset', () => {
  it('decodes CIFAR-shaped files pixel for pixel, with the class names of the metadata', async () => {
    const loaded = await loadHubParquet(cifarFiles(), options());
    const { dataset } = loaded;
    expect(dataset.classNames).toEqual(CIFAR10_NAMES);
    expect([dataset.train.count, dataset.val.count, dataset.height]).toEqual([20, 10, 32]);
    expect(loaded.validation).toBe('files');
    expect(Array.from(dataset.train.labels.slice(0, 3))).toEqual([0, 1, 2]);
    // Image 3 (label 3), pixel (y 4, x 5), green channel.
    expect(dataset.train.images[3 * 3072 + (4 * 32 + 5) * 3 + 1]).toBe(fixturePixel(3, 3, 4, 5, 1));
  });

  it('turns 28×28 grey MNIST images into RGB', async () => {
    const bytes = makeHubParquet({
      imageColumn: 'image',
      classNames: MNIST_NAMES,
      ...mnistShapedRows(12),
    });
    const { dataset } = await loadHubParquet([{ name: 'train/0.parquet', role: 'train', bytes }], {
      ...options({ kind: 'mnist', source: HUB_CATALOG.mnist }),
    });
    expect(dataset.height).toBe(28);
    expect(dataset.train.count + dataset.val.count).toBe(12);
    const first = dataset.train.images;
    expect(first[0]).toBe(first[1]);
    expect(first[1]).toBe(first[2]);
  });

  it('skips undecodable images with a warning, and refuses a dataset of none', async () => {
    const rows = cifarShapedRows(12);
    rows.images[2] = new Uint8Array([1, 2, 3]);
    const bytes = makeHubParquet({ classNames: CIFAR10_NAMES, ...rows });
    const loaded = await loadHubParquet(
      [{ name: 'train/0.parquet', role: 'train', bytes }],
      options(),
    );
    expect(loaded.dataset.train.count + loaded.dataset.val.count).toBe(11);
    expect(loaded.warnings[0]).toBe('1 of 12 images could not be decoded and were skipped.');
    expect(loaded.warnings[1]).toMatch(/train\/0\.parquet row 2: .*; skipped/);

    const garbage = makeHubParquet({
      classNames: ['a', 'b'],
      images: [new Uint8Array([1]), new Uint8Array([2])],
      labels: [0, 1],
    });
    await expect(
      loadHubParquet([{ name: 'train/0.parquet', role: 'train', bytes: garbage }], options()),
    ).rejects.toThrow(/none of its 2 images could be decoded/);
  });

  it('refuses truncated and corrupt files, labels out of range, and too much memory', async () => {
    const [train] = cifarFiles();
    const truncated = { ...train!, bytes: train!.bytes.subarray(0, train!.bytes.length - 100) };
    await expect(loadHubParquet([truncated], options())).rejects.toThrow(
      /train\/0\.parquet: is not a Parquet file, or it is truncated/,
    );
    const corrupt = train!.bytes.slice();
    corrupt.fill(7, 8, corrupt.length - 8);
    await expect(loadHubParquet([{ ...train!, bytes: corrupt }], options())).rejects.toThrow(
      /not a readable Parquet file|truncated/,
    );
    await expect(
      loadHubParquet([{ ...train!, bytes: new Uint8Array(0) }], options()),
    ).rejects.toThrow(/is empty/);
    const outside = makeHubParquet({ classNames: ['a', 'b'], ...cifarShapedRows(4) });
    await expect(
      loadHubParquet([{ name: 'train/0.parquet', role: 'train', bytes: outside }], options()),
    ).rejects.toThrow(/row 2 has class label 2, outside 0–1/);
    await expect(loadHubParquet(cifarFiles(), options({ memoryLimit: 10_000 }))).rejects.toThrow(
      /more than the 9\.8 KB limit/,
    );
  });

  it('reads gzip-compressed files too, and names a codec it cannot read', async () => {
    const rows = cifarShapedRows(20);
    const gzipped = makeHubParquet({
      classNames: CIFAR10_NAMES,
      ...rows,
      codec: 'GZIP',
      compressors: { GZIP: (bytes) => gzipSync(bytes) },
    });
    const loaded = await loadHubParquet(
      [{ name: 'train/0.parquet', role: 'train', bytes: gzipped }],
      options(),
    );
    expect(loaded.dataset.train.count + loaded.dataset.val.count).toBe(20);
    const brotli = makeHubParquet({
      classNames: CIFAR10_NAMES,
      ...rows,
      codec: 'BROTLI',
      compressors: { BROTLI: (bytes) => bytes },
    });
    await expect(
      loadHubParquet([{ name: 'train/0.parquet', role: 'train', bytes: brotli }], options()),
    ).rejects.toThrow('train/0.parquet: is compressed with BROTLI, which this page cannot read');
  });

  it('reports the estimate before decoding, and stops when cancelled', async () => {
    const controller = new AbortController();
    const estimates: number[] = [];
    const promise = loadHubParquet(
      cifarFiles(100, 10),
      options({
        signal: controller.signal,
        onEstimate: (e) => estimates.push(e.images),
        onProgress: () => controller.abort(),
      }),
    );
    await expect(promise).rejects.toBeInstanceOf(LoadCancelled);
    expect(estimates).toEqual([110]);
  });
});

describe('the Hub client', () => {
  const hubUrl = 'https://hub.test';
  const parquet = makeHubParquet({
    classNames: CIFAR10_NAMES,
    ...cifarShapedRows(4),
  }) as Uint8Array<ArrayBuffer>;

  function client(
    routes: Record<string, () => Response>,
    extra: Partial<HubClient> = {},
  ): HubClient {
    return {
      hubUrl,
      byteLimit: 2 ** 30,
      fetch: (async (url: string) => {
        const route = routes[url];
        if (!route) return new Response('{"error":"Repository not found"}', { status: 404 });
        return route();
      }) as typeof fetch,
      ...extra,
    };
  }

  const listUrl = `${hubUrl}/api/datasets/uoft-cs/cifar10/parquet`;
  const fileUrl = `${hubUrl}/api/datasets/uoft-cs/cifar10/parquet/plain_text/train/0.parquet`;
  const listing = () => Response.json({ plain_text: { train: [fileUrl] } });

  it('lists and downloads, reporting the bytes', async () => {
    const downloaded: number[] = [];
    const c = client(
      { [listUrl]: listing, [fileUrl]: () => new Response(parquet) },
      { onProgress: (p) => downloaded.push(p.done) },
    );
    const plan = await fetchHubPlan(cifarSource, c);
    const files = await downloadHubFiles(cifarSource, plan, c);
    expect(files.map((f) => [f.name, f.role, f.bytes.length])).toEqual([
      ['uoft-cs/cifar10 train/0.parquet', 'train', parquet.length],
    ]);
    expect(downloaded.at(-1)).toBe(parquet.length);
  });

  it('stops when cancelled during a download', async () => {
    const controller = new AbortController();
    const c = client(
      {
        [listUrl]: listing,
        [fileUrl]: () =>
          new Response(
            new ReadableStream({
              pull(stream) {
                controller.abort();
                stream.error(new DOMException('aborted', 'AbortError'));
              },
            }),
          ),
      },
      { signal: controller.signal },
    );
    const plan = await fetchHubPlan(cifarSource, c);
    await expect(downloadHubFiles(cifarSource, plan, c)).rejects.toBeInstanceOf(LoadCancelled);
  });

  it('says what to do when the Hub cannot be reached or the id does not exist', async () => {
    const offline = client(
      {},
      {
        fetch: (async () => {
          throw new TypeError('Failed to fetch');
        }) as typeof fetch,
      },
    );
    await expect(fetchHubPlan(cifarSource, offline)).rejects.toThrow(
      /could not reach the Hugging Face Hub \(https:\/\/hub\.test\): check the network connection/,
    );
    await expect(fetchHubPlan(anyHubSource('nobody/nothing'), client({}))).rejects.toThrow(
      /nobody\/nothing: no such dataset on the Hugging Face Hub, or it is private or gated: check the id \(owner\/name\) at https:\/\/hub\.test\/datasets\/nobody\/nothing/,
    );
    const broken = client({ [listUrl]: () => new Response('<html>', { status: 200 }) });
    await expect(fetchHubPlan(cifarSource, broken)).rejects.toThrow(/not valid JSON/);
    const down = client({ [listUrl]: () => new Response('', { status: 503 }) });
    await expect(fetchHubPlan(cifarSource, down)).rejects.toBeInstanceOf(DatasetError);
  });

  it('refuses downloads over the limit and short downloads', async () => {
    const small = client(
      { [listUrl]: listing, [fileUrl]: () => new Response(parquet) },
      { byteLimit: 100 },
    );
    const plan = await fetchHubPlan(cifarSource, small);
    await expect(downloadHubFiles(cifarSource, plan, small)).rejects.toThrow(
      /larger than the 100 B limit/,
    );
    const short = client({
      [listUrl]: listing,
      [fileUrl]: () =>
        new Response(parquet.subarray(0, 10), {
          headers: { 'content-length': String(parquet.length) },
        }),
    });
    await expect(downloadHubFiles(cifarSource, plan, short)).rejects.toThrow(/ended early/);
  });
});
