/** Command-line arguments of `npm run train`. Pure: no I/O, throws ArgsError on bad input. */

export const USAGE = `Usage: npm run train -- [options] "<query>"

Trains a ResNet headless on WebGPU (Dawn) with the same engine as the page.
<query> is the page URL's query string, e.g. "model=resnet10&width=0.125&epochs=2".

Options:
  --json FILE           also write the run (config, backend, metrics) as JSON to FILE
  --data PATH           train on the dataset at PATH: a CIFAR .tar.gz or .bin batch, a folder
                        of MNIST IDX files (gzipped or not), or an image folder of PNGs with one
                        sub-folder per class; the query's dataset= says which (detected if omitted)
  --teacher "<query>"   first train a teacher run (r1), then distil it into the main run
  --summary "<query>"   print the architecture summary as JSON and exit (no training, no GPU)
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
      /** Dataset path (file or folder); null = the synthetic dataset. */
      data: string | null;
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

export function parseArgs(argv: readonly string[]): CliCommand {
  let json: string | null = null;
  let teacher: string | null = null;
  let summary: string | null = null;
  let data: string | null = null;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      const flag = eq >= 0 ? arg.slice(0, eq) : arg;
      if (flag !== '--json' && flag !== '--teacher' && flag !== '--summary' && flag !== '--data') {
        throw new ArgsError(`unknown option ${flag}`);
      }
      let value: string | undefined;
      if (eq >= 0) value = arg.slice(eq + 1);
      else value = argv[++i];
      if (value === undefined || ((flag === '--json' || flag === '--data') && value === '')) {
        throw new ArgsError(`${flag} needs a value`);
      }
      if (flag === '--json') json = value;
      else if (flag === '--data') data = value;
      else if (flag === '--teacher') teacher = checkQuery(value, 'teacher query');
      else summary = checkQuery(value, 'summary query');
      continue;
    }
    positionals.push(arg);
  }
  if (positionals.length > 1) {
    throw new ArgsError(
      `expected one query string, got ${positionals.length} (${positionals.join(' ')}); quote the query: "a=1&b=2"`,
    );
  }
  if (summary !== null) {
    if (positionals.length > 0 || json !== null || teacher !== null || data !== null) {
      throw new ArgsError('--summary takes its own query and no other arguments');
    }
    return { kind: 'summary', query: summary };
  }
  const query = checkQuery(positionals[0] ?? '', 'query');
  return { kind: 'train', query, json, teacher, data };
}
