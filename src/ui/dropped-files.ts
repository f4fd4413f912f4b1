/**
 * Files and folders dropped on the page, walked recursively through the File and Directory
 * Entries API. Must start inside the drop handler: the DataTransfer empties once it returns.
 */

export interface PickedFiles {
  files: File[];
  /** Relative paths, "folder/class/image.jpg". */
  paths: string[];
  /** Every folder seen, so that empty class folders can be reported. */
  directories: string[];
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

export function droppedFiles(transfer: DataTransfer): Promise<PickedFiles> {
  const entries = Array.from(transfer.items)
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  const fallback = Array.from(transfer.files);
  const out: PickedFiles = { files: [], paths: [], directories: [] };
  if (entries.length === 0) {
    return Promise.resolve({
      files: fallback,
      paths: fallback.map((f) => f.name),
      directories: [],
    });
  }
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    const path = entry.fullPath.replace(/^\//, '');
    if (entry.isFile) {
      out.files.push(await fileOf(entry as FileSystemFileEntry));
      out.paths.push(path);
    } else if (entry.isDirectory) {
      out.directories.push(path);
      const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
      for (const child of children) await walk(child);
    }
  };
  return (async () => {
    for (const entry of entries) await walk(entry);
    return out;
  })();
}

/** Files from an <input type="file">, with folder-relative paths when it picked a folder. */
export function pickedFiles(list: FileList): PickedFiles {
  const files = Array.from(list);
  const paths = files.map((f) => f.webkitRelativePath || f.name);
  const directories = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join('/'));
  }
  return { files, paths, directories: [...directories] };
}
