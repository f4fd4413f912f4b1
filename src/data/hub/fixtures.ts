import { CIFAR10_CLASSES } from '../formats/cifar';
import type { CompressionCodec } from 'hyparquet';
import { parquetWriteBuffer, type ParquetWriteOptions } from 'hyparquet-writer';
import { encodePng, fixturePixel } from '../fixtures';

/**
 * Parquet files shaped like the Hub's (an Image struct column {bytes, path}, an int64 ClassLabel
 * column, the "huggingface" features metadata), for unit tests and the e2e suite's mock Hub.
 * Test-only: hyparquet-writer is a devDependency.
 */

/** A Hub dataset with CIFAR-10's classes, as uoft-cs/cifar10 has them. */
export const CIFAR10_NAMES = CIFAR10_CLASSES;
export const MNIST_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export interface ParquetFixture {
  imageColumn?: string;
  labelColumn?: string;
  classNames: string[];
  images: (Uint8Array | null)[];
  labels: number[];
  /** Another ClassLabel column (CIFAR-100's coarse_label). */
  extraLabelColumn?: string;
  /** false: no "huggingface" metadata; a string: that text instead. */
  metadata?: boolean | string;
  /** Compression of the pages (default Snappy, as the Hub's); others need `compressors`. */
  codec?: CompressionCodec;
  compressors?: ParquetWriteOptions['compressors'];
}

export function makeHubParquet(fixture: ParquetFixture): Uint8Array {
  const image = fixture.imageColumn ?? 'img';
  const label = fixture.labelColumn ?? 'label';
  const labelFeature = { names: fixture.classNames, _type: 'ClassLabel' };
  const features: Record<string, unknown> = { [image]: { _type: 'Image' }, [label]: labelFeature };
  const columnData = [
    {
      name: image,
      data: fixture.images.map((bytes, i) => ({ bytes, path: bytes ? `${i}.png` : null })),
    },
    { name: label, data: fixture.labels.map(BigInt) },
  ];
  const schema = [
    { name: 'root', num_children: fixture.extraLabelColumn ? 3 : 2 },
    { name: image, repetition_type: 'OPTIONAL' as const, num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY' as const, repetition_type: 'OPTIONAL' as const },
    {
      name: 'path',
      type: 'BYTE_ARRAY' as const,
      converted_type: 'UTF8' as const,
      repetition_type: 'OPTIONAL' as const,
    },
    { name: label, type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
  ];
  if (fixture.extraLabelColumn) {
    features[fixture.extraLabelColumn] = { names: ['a', 'b'], _type: 'ClassLabel' };
    columnData.push({
      name: fixture.extraLabelColumn,
      data: fixture.labels.map((l) => BigInt(l % 2)),
    });
    schema.push({
      name: fixture.extraLabelColumn,
      type: 'INT64' as const,
      repetition_type: 'OPTIONAL' as const,
    });
  }
  const metadata =
    fixture.metadata === false
      ? []
      : [
          {
            key: 'huggingface',
            value:
              typeof fixture.metadata === 'string'
                ? fixture.metadata
                : JSON.stringify({ info: { features } }),
          },
        ];
  const buffer = parquetWriteBuffer({
    columnData,
    schema,
    kvMetadata: metadata,
    codec: fixture.codec,
    compressors: fixture.compressors,
  });
  return new Uint8Array(buffer);
}

/** count labels cycling through the classes. */
function cycle(count: number, classes: number): number[] {
  return Array.from({ length: count }, (_, i) => i % classes);
}

/** 32×32 RGB PNGs whose pixels follow fixturePixel(label, index, y, x, c). */
export function cifarShapedRows(count: number, firstIndex = 0, classes = 10) {
  const labels = cycle(count, classes);
  const images = labels.map((label, i) => {
    const rgb = new Uint8Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++)
          rgb[(y * 32 + x) * 3 + c] = fixturePixel(label, firstIndex + i, y, x, c);
    return encodePng(32, 32, rgb);
  });
  return { images, labels };
}

/** 28×28 grey PNGs, as MNIST's. */
export function mnistShapedRows(count: number, firstIndex = 0) {
  const labels = cycle(count, 10);
  const images = labels.map((label, i) => {
    const grey = new Uint8Array(28 * 28);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) grey[y * 28 + x] = fixturePixel(label, firstIndex + i, y, x, 0);
    return encodePng(28, 28, grey, 1);
  });
  return { images, labels };
}

/** A Hub dataset for the mock server: config → split → Parquet files. */
export type HubFixtureDataset = Record<string, Record<string, Uint8Array[]>>;

/** The datasets the e2e suite's mock Hub serves (scripts/mock-hub.ts). */
export function mockHubDatasets(): Record<string, HubFixtureDataset> {
  const cifarTrain = cifarShapedRows(40);
  const cifarTest = cifarShapedRows(10, 40);
  const mnistTrain = mnistShapedRows(30);
  const mnistTest = mnistShapedRows(10, 30);
  const shapes = cifarShapedRows(24, 0, 3);
  const cifar = (rows: { images: Uint8Array[]; labels: number[] }) =>
    makeHubParquet({ classNames: CIFAR10_NAMES, ...rows });
  const mnist = (rows: { images: Uint8Array[]; labels: number[] }) =>
    makeHubParquet({ imageColumn: 'image', classNames: MNIST_NAMES, ...rows });
  const whole = makeHubParquet({ classNames: ['circle', 'square', 'triangle'], ...shapes });
  return {
    'uoft-cs/cifar10': { plain_text: { train: [cifar(cifarTrain)], test: [cifar(cifarTest)] } },
    'ylecun/mnist': { mnist: { train: [mnist(mnistTrain)], test: [mnist(mnistTest)] } },
    // Any Hub dataset: three classes, no validation split (held out of training).
    'tests/shapes': { default: { train: [whole] } },
    'tests/no-labels': {
      default: {
        train: [
          makeHubParquet({
            ...shapes,
            classNames: ['a', 'b', 'c'],
            metadata: JSON.stringify({ info: { features: { img: { _type: 'Image' } } } }),
          }),
        ],
      },
    },
    'tests/truncated': { default: { train: [whole.subarray(0, Math.floor(whole.length / 2))] } },
    // Two rows whose bytes are no image: skipped and listed, the rest loads.
    'tests/bad-images': {
      default: {
        train: [
          makeHubParquet({
            classNames: ['circle', 'square', 'triangle'],
            labels: shapes.labels,
            images: shapes.images.map((image, i) =>
              i === 0 || i === 5 ? new Uint8Array([1, 2, 3]) : image,
            ),
          }),
        ],
      },
    },
  };
}
