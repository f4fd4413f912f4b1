import { z } from 'zod';
import { DatasetError } from '../files';
import type { HubSource } from './catalog';

/**
 * Which column holds the images and which the class labels, with the class names, from the
 * "huggingface" key-value metadata that the datasets library and the Hub's Parquet conversion
 * write into every Parquet file: {"info": {"features": {"img": {"_type": "Image"},
 * "label": {"_type": "ClassLabel", "names": [...]}}}}.
 */

export interface HubColumns {
  image: string;
  label: string;
  classNames: string[];
}

const FEATURE = z.looseObject({ _type: z.string(), names: z.array(z.string()).optional() });
const METADATA = z.looseObject({
  info: z.looseObject({ features: z.record(z.string(), z.unknown()) }),
});

export const HUGGINGFACE_METADATA_KEY = 'huggingface';

function featuresOf(metadataJson: string | undefined, file: string): Record<string, unknown> {
  if (metadataJson === undefined) {
    throw new DatasetError(
      file,
      'has no "huggingface" metadata, so its image and class-label columns are unknown; only ' +
        'datasets written by the datasets library or converted by the Hub can be loaded',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(metadataJson);
  } catch {
    throw new DatasetError(file, 'its "huggingface" metadata is not valid JSON');
  }
  const parsed = METADATA.safeParse(json);
  if (!parsed.success) {
    throw new DatasetError(file, 'its "huggingface" metadata lists no features (columns)');
  }
  return parsed.data.info.features;
}

function columnsOfType(features: Record<string, unknown>, type: string): string[] {
  return Object.entries(features)
    .filter(([, feature]) => FEATURE.safeParse(feature).data?._type === type)
    .map(([name]) => name);
}

function pick(found: string[], preferred: string | null, what: string, file: string): string {
  if (preferred !== null && found.includes(preferred)) return preferred;
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new DatasetError(
      file,
      `has no ${what} column: only datasets with one image column and one class-label column can be trained on`,
    );
  }
  throw new DatasetError(
    file,
    `has several ${what} columns (${found.join(', ')}): this page cannot tell which one to use`,
  );
}

export function hubColumns(
  metadataJson: string | undefined,
  source: HubSource,
  file: string,
): HubColumns {
  const features = featuresOf(metadataJson, file);
  const image = pick(columnsOfType(features, 'Image'), source.imageColumn, 'image', file);
  const label = pick(
    columnsOfType(features, 'ClassLabel'),
    source.labelColumn,
    'class-label',
    file,
  );
  const classNames = FEATURE.parse(features[label]).names ?? [];
  if (classNames.length < 2) {
    throw new DatasetError(
      file,
      `its class-label column ${label} names ${classNames.length} class${classNames.length === 1 ? '' : 'es'}; at least 2 are needed`,
    );
  }
  return { image, label, classNames };
}
