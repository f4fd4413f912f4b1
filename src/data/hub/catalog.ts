import { DatasetError } from '../files';

/**
 * The datasets the page and the CLI load from the Hugging Face Hub by name, with the Hub
 * repository, config and columns of each (checked against the Hub's dataset cards and its
 * refs/convert/parquet branches). Any other Hub dataset is named by its id ("owner/name").
 */

export const HUB_KINDS = ['cifar10', 'cifar100', 'mnist', 'fashion-mnist', 'imagenette'] as const;
export type HubKind = (typeof HUB_KINDS)[number];

export interface HubSource {
  /** Repository id on the Hub, "owner/name". */
  id: string;
  /** The config (subset) to read; any config is accepted when the dataset has only one. */
  config: string | null;
  /** Preferred columns where a dataset has several of a kind (CIFAR-100: fine and coarse labels). */
  imageColumn: string | null;
  labelColumn: string | null;
}

export const HUB_CATALOG: Record<HubKind, HubSource> = {
  cifar10: {
    id: 'uoft-cs/cifar10',
    config: 'plain_text',
    imageColumn: 'img',
    labelColumn: 'label',
  },
  cifar100: {
    id: 'uoft-cs/cifar100',
    config: 'cifar100',
    imageColumn: 'img',
    labelColumn: 'fine_label',
  },
  mnist: { id: 'ylecun/mnist', config: 'mnist', imageColumn: 'image', labelColumn: 'label' },
  'fashion-mnist': {
    id: 'zalando-datasets/fashion_mnist',
    config: 'fashion_mnist',
    imageColumn: 'image',
    labelColumn: 'label',
  },
  // The 160 px version: about 100 MB of JPEGs instead of 1.1 GB at full size.
  imagenette: {
    id: 'frgfm/imagenette',
    config: '160px',
    imageColumn: 'image',
    labelColumn: 'label',
  },
};

/** Any dataset id: its config and columns are found from its files. */
export function anyHubSource(id: string): HubSource {
  return { id, config: null, imageColumn: null, labelColumn: null };
}

export function isHubKind(name: string): name is HubKind {
  return (HUB_KINDS as readonly string[]).includes(name);
}

/**
 * A Hub repository id: "owner/name", letters, digits, '-', '_' and '.', as the Hub allows
 * (names up to 96 characters, no "--" or ".." runs, no leading or trailing '-' or '.').
 */
const NAME = '[A-Za-z0-9](?:[\\w.-]{0,94}[A-Za-z0-9_])?';
export const HUB_ID_SOURCE = `(?!.*(?:--|\\.\\.))${NAME}/${NAME}`;
const HUB_ID = new RegExp(`^${HUB_ID_SOURCE}$`);

export function isHubId(text: string): boolean {
  return HUB_ID.test(text);
}

/** The public Hub; tests point the page and the CLI at a local server instead. */
export const DEFAULT_HUB_URL = 'https://huggingface.co';

/** What to download for a dataset kind: its catalog entry, or for `hub` the id given. */
export function hubSourceFor(dataset: string, id: string): HubSource {
  if (isHubKind(dataset)) return HUB_CATALOG[dataset];
  if (dataset !== 'hub') throw new DatasetError(dataset, 'is not on the Hugging Face Hub');
  if (!isHubId(id)) {
    throw new DatasetError(
      id,
      id === ''
        ? 'enter a Hugging Face dataset id, owner/name'
        : 'is not a Hugging Face dataset id: it should look like owner/name',
    );
  }
  return anyHubSource(id);
}

/** Whether a held or cached dataset is the one the settings name (a `hub` one by its id). */
export function isSameDataset(
  held: { kind: string; hubId?: string },
  wanted: { dataset: string; hub: string },
): boolean {
  return held.kind === wanted.dataset && (wanted.dataset !== 'hub' || held.hubId === wanted.hub);
}

/** Whether settings (a link) ask for a download from the Hub when the page opens. */
export function wantsHubDownload(config: {
  dataset: string;
  source: string;
  hub: string;
}): boolean {
  if (config.dataset === 'hub') return isHubId(config.hub);
  return config.source === 'hub' && isHubKind(config.dataset);
}
