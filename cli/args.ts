import { parseArgs as parseArgv } from 'node:util';
import { parseDecimal } from '../src/config/number-text';
import { PARAMS } from '../src/config/params';
import { SWEEP_TABLES, type SweepTable } from '../src/experiments/sweeps';

/** Command-line arguments of `npm run train`. Pure: no I/O, throws ArgsError on bad input. */

export const USAGE = `Usage: npm run train -- [options] "<query>"

Trains a ResNet headless on WebGPU (Dawn) with the same engine as the page.
<query> is the page URL's query string, e.g. "model=resnet10&width=0.125&epochs=2".

Options:
  --json FILE           also write the run (config, backend, metrics) as JSON to FILE
  --data PATH           train on the dataset at PATH: a CIFAR .tar.gz or .bin batch, a folder
                        of MNIST IDX files (gzipped or not), or an image folder of PNGs with one
                        sub-folder per class; the query's dataset= says which (detected if omitted)
  --hub NAME            train on a dataset of the Hugging Face Hub, downloaded once into the cache
                        folder (~/.cache/tricks-playground/hub): cifar10, cifar100, mnist,
                        fashion-mnist, imagenette, or any dataset id owner/name with one image
                        column and one class-label column
  --teacher "<query>"   first train a teacher run (r1), then distil it into the main run
  --backbone DIR        start from the backbone in DIR, a folder written by --export-timm
                        (model.json, model.safetensors): its classifier is replaced; the query's
                        transfer=finetune|probe and backbone_lr say how it trains (paper §6)
  --export-timm DIR     when the run finishes, write it to DIR as a checkpoint timm loads:
                        model.safetensors, model.json, sample.safetensors, load_timm.py
  --summary "<query>"   print the architecture summary as JSON and exit (no training, no GPU)
  --sweep TABLE         train the rows of the paper's table4, table5, table6 or table7 (as the page's
                        "Reproduce" buttons do) from <query> and print the comparison table
  --repeats N           with --sweep: seeds per row, the same seeds in every row (default: the
                        query's repeats, else 1)
  --dry-run             with --sweep: print the rows as JSON and exit (no training, no GPU)
  --race                train 2 to 4 queries at once, one step each in turn, on one GPU
                        (npm run train -- --race "<query A>" "<query B>"): the racers share
                        the data and seed; prints each racer's epochs and the final table;
                        --json writes { "racers": [ … ] }, each racer as a run's --json
  -h, --help            show this help
`;

export class ArgsError extends Error {}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'summary'; query: string }
  | {
      kind: 'train';
      query: string;
      json: string | null;
      teacher: string | null;
      /** Dataset path (file or folder); null = the synthetic dataset (or --hub). */
      data: string | null;
      /** A Hugging Face Hub dataset: a catalog name or owner/name; null = none. */
      hub: string | null;
      /** Folder for the timm export of the finished run; null = none. */
      exportTimm: string | null;
      /** Folder of a timm export to start from (transfer learning); null = none. */
      backbone: string | null;
    }
  | {
      kind: 'race';
      /** 2–4 query strings, one per racer. */
      queries: string[];
      json: string | null;
      data: string | null;
      hub: string | null;
    }
  | {
      kind: 'sweep';
      table: SweepTable;
      query: string;
      /** Seeds per row; null = the query's `repeats`. */
      repeats: number | null;
      /** Print the rows and exit. */
      dryRun: boolean;
      json: string | null;
      data: string | null;
      hub: string | null;
    };

/** A query must look like key=value pairs (a leading '?' is allowed). */
function checkQuery(query: string, what: string): string {
  const q = query.startsWith('?') ? query.slice(1) : query;
  if (q !== '' && !q.split('&').every((part) => part === '' || /^[^=]+=/.test(part))) {
    throw new ArgsError(
      `${what} "${query}" is not a query string; expected key=value pairs such as "model=resnet10&epochs=2"`,
    );
  }
  return q;
}

const OPTIONS = {
  json: { type: 'string' },
  data: { type: 'string' },
  hub: { type: 'string' },
  teacher: { type: 'string' },
  'export-timm': { type: 'string' },
  backbone: { type: 'string' },
  summary: { type: 'string' },
  sweep: { type: 'string' },
  repeats: { type: 'string' },
  'dry-run': { type: 'boolean' },
  race: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Options that take no value. */
const FLAGS: ReadonlySet<OptionName> = new Set(['help', 'dry-run', 'race']);

type OptionName = keyof typeof OPTIONS;

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

function sweepTable(value: string): SweepTable {
  if ((SWEEP_TABLES as readonly string[]).includes(value)) return value as SweepTable;
  throw new ArgsError(`--sweep: '${value}' is not one of ${SWEEP_TABLES.join(', ')}`);
}

/** The `repeats` parameter's own rule (config/params.ts), so the flag and the URL agree. */
function repeatCount(value: string): number {
  const { min, max } = PARAMS.repeats;
  const n = parseDecimal(value);
  if (n === null || !Number.isInteger(n) || n < min || n > max) {
    throw new ArgsError(`--repeats: '${value}' is not a whole number from ${min} to ${max}`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): CliCommand {
  // strict: false, so that we word the errors ourselves from the tokens (node's messages name
  // neither this program nor its usage); value-taking and `--` are still node's rules.
  const { tokens, positionals } = parseArgv({
    args: [...argv],
    options: OPTIONS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const options = tokens.filter((t) => t.kind === 'option');
  // --help wins over any other problem: whoever asks for the usage gets it.
  const help = options.find((t) => t.name === 'help');
  if (help) {
    if (help.value !== undefined) throw new ArgsError(`${help.rawName} takes no value`);
    return { kind: 'help' };
  }
  const values: Partial<Record<OptionName, string>> = {};
  for (const { name, rawName, value, inlineValue } of options) {
    if (!isOptionName(name)) throw new ArgsError(`unknown option ${rawName}`);
    if (FLAGS.has(name)) {
      if (value !== undefined) throw new ArgsError(`${rawName} takes no value`);
      values[name] = '';
      continue;
    }
    // The next word is taken as the value even if it looks like an option ("--json --data x"):
    // that is almost always a forgotten value, so such values must be written --json=-x.
    if (value === undefined || (!inlineValue && value.startsWith('-'))) {
      throw new ArgsError(`${rawName} needs a value`);
    }
    if (values[name] !== undefined) throw new ArgsError(`${rawName} is given twice`);
    values[name] = value;
  }
  const { json = null, data = null, hub = null, teacher = null, summary = null } = values;
  const sweepOnly = (['repeats', 'dry-run'] as const).find((k) => values[k] !== undefined);
  if (values.sweep === undefined && sweepOnly) throw new ArgsError(`--${sweepOnly} needs --sweep`);
  const exportTimm = values['export-timm'] ?? null;
  const empty = (['json', 'data', 'hub', 'export-timm', 'backbone'] as const).find(
    (k) => values[k] === '',
  );
  if (empty) throw new ArgsError(`--${empty} needs a value`);
  if (data !== null && hub !== null) throw new ArgsError('--data and --hub exclude each other');
  if (values.race !== undefined) {
    if (positionals.length < 2 || positionals.length > 4) {
      throw new ArgsError(
        `--race takes 2 to 4 queries, one per racer (got ${positionals.length}): --race "<query A>" "<query B>"`,
      );
    }
    const other = (['sweep', 'teacher', 'export-timm', 'summary', 'backbone'] as const).find(
      (k) => values[k] !== undefined,
    );
    if (other) throw new ArgsError(`--race and --${other} exclude each other`);
    const queries = positionals.map((q, i) => checkQuery(q, `racer ${i + 1}'s query`));
    return { kind: 'race', queries, json, data, hub };
  }
  if (positionals.length > 1) {
    throw new ArgsError(
      `expected one query string, got ${positionals.length} (${positionals.join(' ')}); quote the query: "a=1&b=2"`,
    );
  }
  if (summary !== null) {
    if (
      positionals.length > 0 ||
      json !== null ||
      teacher !== null ||
      data !== null ||
      hub !== null ||
      exportTimm !== null
    ) {
      throw new ArgsError('--summary takes its own query and no other arguments');
    }
    return { kind: 'summary', query: checkQuery(summary, 'summary query') };
  }
  const query = checkQuery(positionals[0] ?? '', 'query');
  if (values.sweep !== undefined) {
    if (teacher !== null) throw new ArgsError('--sweep trains its own teachers: drop --teacher');
    if (exportTimm !== null) throw new ArgsError('--export-timm exports one run: drop --sweep');
    if (values.backbone !== undefined)
      throw new ArgsError('--backbone trains one run: drop --sweep');
    return {
      kind: 'sweep',
      table: sweepTable(values.sweep),
      query,
      repeats: values.repeats === undefined ? null : repeatCount(values.repeats),
      dryRun: values['dry-run'] !== undefined,
      json,
      data,
      hub,
    };
  }
  return {
    kind: 'train',
    query,
    json,
    teacher: teacher === null ? null : checkQuery(teacher, 'teacher query'),
    data,
    hub,
    exportTimm,
    backbone: values.backbone ?? null,
  };
}
