import type { ImageSplit } from '../dataset';
import { baseName, DatasetError } from '../files';

/**
 * CIFAR-10/100 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html): fixed-size records of
 * label byte(s) then 1024 red, 1024 green, 1024 blue bytes of a 32×32 image, row-major.
 * CIFAR-10 has 1 label byte (0–9); CIFAR-100 has a coarse (0–19) then a fine (0–99) label byte.
 */

export type CifarVariant = 'cifar10' | 'cifar100';

export const CIFAR_SIZE = 32;
const PLANE = CIFAR_SIZE * CIFAR_SIZE;

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

export const CIFAR100_CLASSES = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly ' +
  'camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile ' +
  'cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard lamp ' +
  'lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree ' +
  'orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum ' +
  'rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider ' +
  'squirrel streetcar sunflower sweet_pepper table tank telephone television tiger tractor train ' +
  'trout tulip turtle wardrobe whale willow_tree wolf woman worm'
).split(' ');

export const CIFAR_INFO: Record<
  CifarVariant,
  { title: string; labelBytes: number; classes: string[]; metaFile: string }
> = {
  cifar10: {
    title: 'CIFAR-10',
    labelBytes: 1,
    classes: CIFAR10_CLASSES,
    metaFile: 'batches.meta.txt',
  },
  cifar100: {
    title: 'CIFAR-100',
    labelBytes: 2,
    classes: CIFAR100_CLASSES,
    metaFile: 'fine_label_names.txt',
  },
};

export function cifarRecordBytes(variant: CifarVariant): number {
  return CIFAR_INFO[variant].labelBytes + 3 * PLANE;
}

/** Parses one batch file into HWC pixels; throws a DatasetError naming `name` on bad input. */
export function parseCifarBatch(
  bytes: Uint8Array,
  name: string,
  variant: CifarVariant,
): ImageSplit {
  const info = CIFAR_INFO[variant];
  const record = cifarRecordBytes(variant);
  if (bytes.length === 0) throw new DatasetError(name, 'is empty (0 bytes)');
  if (bytes.length % record !== 0) {
    const other: CifarVariant = variant === 'cifar10' ? 'cifar100' : 'cifar10';
    const hint =
      bytes.length % cifarRecordBytes(other) === 0
        ? ` It looks like a ${CIFAR_INFO[other].title} batch: choose that dataset.`
        : ' The file is truncated or is not a CIFAR batch.';
    throw new DatasetError(
      name,
      `${bytes.length} bytes is not a whole number of ${record}-byte ${info.title} records (${Math.floor(bytes.length / record)} whole record${Math.floor(bytes.length / record) === 1 ? '' : 's'} and ${bytes.length % record} bytes left over).${hint}`,
    );
  }
  const count = bytes.length / record;
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  const classes = info.classes.length;
  for (let i = 0; i < count; i++) {
    const base = i * record;
    const label = bytes[base + info.labelBytes - 1]!;
    if (label >= classes || (variant === 'cifar100' && bytes[base]! >= 20)) {
      throw new DatasetError(
        name,
        `record ${i} has label ${label}${variant === 'cifar100' ? ` (coarse ${bytes[base]})` : ''}, outside 0–${classes - 1}: the file is corrupted or not a ${info.title} batch`,
      );
    }
    labels[i] = label;
    const pixels = base + info.labelBytes;
    const out = i * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      images[out + p * 3] = bytes[pixels + p]!;
      images[out + p * 3 + 1] = bytes[pixels + PLANE + p]!;
      images[out + p * 3 + 2] = bytes[pixels + 2 * PLANE + p]!;
    }
  }
  return { images, labels, count };
}

/** A batch file is validation data when its name says test ("test_batch.bin", "test.bin"). */
export function isCifarTestBatch(path: string): boolean {
  return /test/i.test(baseName(path));
}

export function isCifarBatchName(path: string): boolean {
  return /\.bin$/i.test(baseName(path));
}

/** Class names from batches.meta.txt / fine_label_names.txt, when they have the right count. */
export function parseCifarClassNames(text: string, variant: CifarVariant): string[] | null {
  const names = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.length === CIFAR_INFO[variant].classes.length ? names : null;
}
