import { DatasetError, extensionOf, isClutter, type DataFile } from '../files';

/**
 * Image folders in the layout of torchvision's ImageFolder and Imagenette: one sub-folder per
 * class (files at any depth below it), optionally inside train/ and val/ folders. Pure planning:
 * which file is which class and split; decoding happens in the loader.
 */

export const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp', 'bmp', 'gif', 'avif']);
const TRAIN_NAMES = new Set(['train', 'training']);
const VAL_NAMES = new Set(['val', 'valid', 'validation', 'test']);

export interface PlannedImage {
  file: DataFile;
  label: number;
}

export interface FolderPlan {
  root: string;
  classNames: string[];
  train: PlannedImage[];
  /** null: no validation folder; the loader holds out a seeded split. */
  val: PlannedImage[] | null;
  /** Files that were skipped, each with the reason. */
  warnings: string[];
}

export function isImageName(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extensionOf(path));
}

/** Number of leading folders shared by every path that can go without losing the class level. */
function commonRootDepth(paths: string[][]): number {
  let depth = 0;
  for (;;) {
    const first = paths[0]?.[depth];
    if (first === undefined) return depth;
    // Strip a shared folder only when a class level stays below it somewhere.
    const shared = paths.every((p) => p.length >= depth + 2 && p[depth] === first);
    if (!shared || !paths.some((p) => p.length >= depth + 3)) return depth;
    depth++;
  }
}

/**
 * @param directories folder paths seen while listing (drag-and-drop and the CLI see empty ones;
 * a file picker does not), so that empty class folders are reported.
 */
export function planImageFolder(
  files: readonly DataFile[],
  directories: readonly string[] = [],
): FolderPlan {
  const warnings: string[] = [];
  const usable = files.filter((f) => !isClutter(f.path));
  if (usable.length === 0) throw new DatasetError('', 'the folder contains no files');
  const split = usable.map((f) => f.path.split('/').filter((s) => s !== ''));
  const rootDepth = commonRootDepth(split);
  const root = split[0]!.slice(0, rootDepth).join('/');
  const rel = split.map((p) => p.slice(rootDepth));
  const relDirs = directories
    .map((d) => d.split('/').filter((s) => s !== ''))
    .filter((d) => d.slice(0, rootDepth).join('/') === root)
    .map((d) => d.slice(rootDepth));

  const tops = new Set(rel.filter((p) => p.length >= 3).map((p) => p[0]!.toLowerCase()));
  const trainTop = [...tops].find((t) => TRAIN_NAMES.has(t));
  const valTop = [...tops].find((t) => VAL_NAMES.has(t));
  const splitLayout = trainTop !== undefined && valTop !== undefined;

  type Part = 'train' | 'val';
  const found: { part: Part; cls: string; file: DataFile }[] = [];
  const classFolders: Record<Part, Set<string>> = { train: new Set(), val: new Set() };
  const where = (parts: string[]): { part: Part; cls: string; depth: number } | null => {
    if (!splitLayout) return parts.length >= 1 ? { part: 'train', cls: parts[0]!, depth: 1 } : null;
    const top = parts[0]?.toLowerCase();
    if (top === trainTop && parts.length >= 2) return { part: 'train', cls: parts[1]!, depth: 2 };
    if (top === valTop && parts.length >= 2) return { part: 'val', cls: parts[1]!, depth: 2 };
    return null;
  };
  for (const dir of relDirs) {
    const w = where(dir);
    if (w && dir.length === w.depth) classFolders[w.part].add(w.cls);
  }
  usable.forEach((file, i) => {
    const parts = rel[i]!;
    const w = where(parts.slice(0, -1));
    if (!w) {
      warnings.push(`${file.path}: not inside a class folder, skipped`);
      return;
    }
    classFolders[w.part].add(w.cls);
    if (!isImageName(file.path)) {
      warnings.push(`${file.path}: not an image (JPEG, PNG or WebP expected), skipped`);
      return;
    }
    if (file.size === 0) {
      warnings.push(`${file.path}: empty file (0 bytes), skipped`);
      return;
    }
    found.push({ part: w.part, cls: w.cls, file });
  });

  const trainPrefix = splitLayout
    ? `${root ? root + '/' : ''}${trainTop}/`
    : root
      ? `${root}/`
      : '';
  const counts = new Map<string, number>();
  for (const f of found) if (f.part === 'train') counts.set(f.cls, (counts.get(f.cls) ?? 0) + 1);
  const classNames = [...classFolders.train].sort();
  if (classNames.length === 0) {
    throw new DatasetError(
      root,
      'no class folders with images found: put the images of each class in their own sub-folder',
    );
  }
  const empty = classNames.filter((c) => !counts.get(c));
  if (empty.length > 0) {
    throw new DatasetError(
      `${trainPrefix}${empty[0]}`,
      `class folder has no usable images${empty.length > 1 ? ` (nor do ${empty.slice(1, 4).join(', ')}${empty.length > 4 ? ', …' : ''})` : ''}; add images or remove the folder`,
    );
  }
  if (classNames.length < 2) {
    throw new DatasetError(
      root || classNames[0]!,
      `only one class ("${classNames[0]}"): classification needs at least two class folders`,
    );
  }
  const labelOf = new Map(classNames.map((c, i) => [c, i]));
  const unknownVal = [...classFolders.val].filter((c) => !labelOf.has(c));
  if (unknownVal.length > 0) {
    throw new DatasetError(
      `${root ? root + '/' : ''}${valTop}/${unknownVal[0]}`,
      'this validation class has no training folder of the same name',
    );
  }
  const toPlanned = (part: Part) =>
    found.filter((f) => f.part === part).map((f) => ({ file: f.file, label: labelOf.get(f.cls)! }));
  const val = splitLayout ? toPlanned('val') : null;
  return {
    root,
    classNames,
    train: toPlanned('train'),
    val: val && val.length > 0 ? val : null,
    warnings,
  };
}
