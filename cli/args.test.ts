import { describe, expect, it } from 'vitest';
import { ArgsError, parseArgs } from './args';

describe('CLI arguments', () => {
  it('a query string, with or without ?', () => {
    expect(parseArgs(['model=resnet10&epochs=2'])).toEqual({
      kind: 'train',
      query: 'model=resnet10&epochs=2',
      json: null,
      teacher: null,
      data: null,
      hub: null,
      exportTimm: null,
      backbone: null,
    });
    expect(parseArgs(['?epochs=2'])).toMatchObject({ query: 'epochs=2' });
    expect(parseArgs([])).toMatchObject({ kind: 'train', query: '' });
  });

  it('--data PATH, as a separate word or with =', () => {
    expect(parseArgs(['--data', 'cifar-10-binary.tar.gz', 'dataset=cifar10'])).toMatchObject({
      kind: 'train',
      query: 'dataset=cifar10',
      data: 'cifar-10-binary.tar.gz',
    });
    expect(parseArgs(['--data=imgs/', 'epochs=1'])).toMatchObject({ data: 'imgs/' });
    expect(() => parseArgs(['--data='])).toThrow(ArgsError);
  });

  it('--hub NAME: a catalog name or owner/name; not with --data', () => {
    expect(parseArgs(['--hub', 'cifar10', 'epochs=1'])).toMatchObject({
      kind: 'train',
      hub: 'cifar10',
      data: null,
    });
    expect(parseArgs(['--sweep=table4', '--hub=uoft-cs/cifar100'])).toMatchObject({
      kind: 'sweep',
      hub: 'uoft-cs/cifar100',
    });
    expect(() => parseArgs(['--hub='])).toThrow('--hub needs a value');
    expect(() => parseArgs(['--hub', 'mnist', '--data', 'x'])).toThrow(
      '--data and --hub exclude each other',
    );
  });

  it('--json and --teacher, as separate words or with =', () => {
    expect(parseArgs(['--json', 'out.json', 'epochs=1', '--teacher=model=resnet18'])).toEqual({
      kind: 'train',
      query: 'epochs=1',
      json: 'out.json',
      teacher: 'model=resnet18',
      data: null,
      hub: null,
      exportTimm: null,
      backbone: null,
    });
  });

  it('--backbone DIR, for a single run only', () => {
    expect(parseArgs(['--backbone', 'out/r18', 'backbone_lr=0.05'])).toMatchObject({
      kind: 'train',
      backbone: 'out/r18',
      query: 'backbone_lr=0.05',
    });
    expect(() => parseArgs(['--backbone=', 'epochs=1'])).toThrow('--backbone needs a value');
    expect(() => parseArgs(['--backbone', 'd', '--sweep', 'table4'])).toThrow(
      '--backbone trains one run: drop --sweep',
    );
    expect(() => parseArgs(['--race', 'a=1', 'a=2', '--backbone', 'd'])).toThrow(
      '--race and --backbone exclude each other',
    );
  });

  it('--export-timm DIR, for a single run only', () => {
    expect(parseArgs(['--export-timm', 'out/timm', 'epochs=1'])).toMatchObject({
      kind: 'train',
      exportTimm: 'out/timm',
    });
    expect(parseArgs(['--export-timm=out', 'epochs=1'])).toMatchObject({ exportTimm: 'out' });
    expect(() => parseArgs(['--export-timm=', 'epochs=1'])).toThrow('--export-timm needs a value');
    expect(() => parseArgs(['--export-timm'])).toThrow('--export-timm needs a value');
    expect(() => parseArgs(['--export-timm', 'd', '--sweep', 'table4'])).toThrow(
      '--export-timm exports one run: drop --sweep',
    );
    expect(() => parseArgs(['--summary', 'model=resnet50', '--export-timm', 'd'])).toThrow(
      '--summary takes its own query',
    );
  });

  it('--summary and --help', () => {
    expect(parseArgs(['--summary', 'model=resnet50&input=224&classes=1000'])).toEqual({
      kind: 'summary',
      query: 'model=resnet50&input=224&classes=1000',
    });
    expect(parseArgs(['epochs=1', '--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('rejects bad flags and queries with a clear message', () => {
    expect(() => parseArgs(['--epochs', '2'])).toThrow(new ArgsError('unknown option --epochs'));
    expect(() => parseArgs(['--json'])).toThrow('--json needs a value');
    expect(() => parseArgs(['resnet10'])).toThrow(/not a query string/);
    expect(() => parseArgs(['a=1', 'b=2'])).toThrow(/expected one query string/);
    expect(() => parseArgs(['--summary', 'model=resnet10', 'epochs=2'])).toThrow(/--summary/);
    expect(() => parseArgs(['--teacher', 'oops'])).toThrow(/teacher query/);
  });

  it('--help wins over other arguments, even malformed ones, but takes no value', () => {
    expect(parseArgs(['--epochs', '2', '--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['a=1', 'b=2', '-h'])).toEqual({ kind: 'help' });
    expect(() => parseArgs(['--help=yes'])).toThrow(new ArgsError('--help takes no value'));
  });

  it('rejects malformed input', () => {
    // A value that is another option is a forgotten value; =-x writes a value starting with '-'.
    expect(() => parseArgs(['--json', '--data', 'x'])).toThrow(
      new ArgsError('--json needs a value'),
    );
    expect(parseArgs(['--json=-out.json'])).toMatchObject({ json: '-out.json' });
    expect(() => parseArgs(['--json='])).toThrow(new ArgsError('--json needs a value'));
    expect(() => parseArgs(['--data'])).toThrow(new ArgsError('--data needs a value'));
    expect(() => parseArgs(['--teacher'])).toThrow(new ArgsError('--teacher needs a value'));
    expect(() => parseArgs(['--json', 'a.json', '--json=b.json'])).toThrow(
      new ArgsError('--json is given twice'),
    );
    expect(() => parseArgs(['-x'])).toThrow(new ArgsError('unknown option -x'));
    expect(() => parseArgs(['--epochs=2'])).toThrow(new ArgsError('unknown option --epochs'));
    expect(() => parseArgs(['--JSON', 'out.json'])).toThrow(new ArgsError('unknown option --JSON'));
    expect(() => parseArgs(['-'])).toThrow(/not a query string/);
    expect(() => parseArgs(['--summary', 'model=resnet10', '--json', 'o.json'])).toThrow(
      /--summary takes its own query/,
    );
    expect(() => parseArgs(['--summary', 'resnet50'])).toThrow(/summary query/);
  });

  it('after --, every word is a positional', () => {
    expect(parseArgs(['--json', 'o.json', '--', 'epochs=1'])).toMatchObject({
      query: 'epochs=1',
      json: 'o.json',
    });
    expect(() => parseArgs(['--', '--help'])).toThrow(/not a query string/);
  });
});

describe('--sweep', () => {
  it('names a table, with --repeats and --dry-run', () => {
    expect(parseArgs(['--sweep', 'table6', '--repeats', '3', '--dry-run', 'width=0.125'])).toEqual({
      kind: 'sweep',
      table: 'table6',
      query: 'width=0.125',
      repeats: 3,
      dryRun: true,
      json: null,
      data: null,
      hub: null,
    });
    expect(parseArgs(['--sweep=table4', 'epochs=2'])).toMatchObject({
      kind: 'sweep',
      table: 'table4',
      repeats: null,
      dryRun: false,
    });
  });

  it.each([
    [['--sweep', 'table8'], /not one of table4, table5, table6, table7, table9/],
    [['--sweep', 'table4', '--repeats', 'abc'], /--repeats: 'abc' is not a whole number from 1 to/],
    [['--sweep', 'table4', '--repeats', '0'], /--repeats/],
    [['--sweep', 'table4', '--repeats', '2.5'], /--repeats/],
    [['--repeats', '2'], /--repeats needs --sweep/],
    [['--dry-run'], /--dry-run needs --sweep/],
    [['--sweep', 'table6', '--teacher', 'model=resnet34'], /drop --teacher/],
    [['--sweep', 'table6', '--dry-run=yes'], /takes no value/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('--race', () => {
  it('takes 2 to 4 queries, one per racer, with --json, --data or --hub', () => {
    expect(parseArgs(['--race', 'cosine=1', '?cosine=0', '--json', 'out.json'])).toEqual({
      kind: 'race',
      queries: ['cosine=1', 'cosine=0'],
      json: 'out.json',
      data: null,
      hub: null,
    });
    expect(parseArgs(['a=1', '--race', 'a=2', 'a=3', 'a=4']).kind).toBe('race');
  });

  it('refuses one racer, five racers, and options that train something else', () => {
    expect(() => parseArgs(['--race', 'a=1'])).toThrow(/--race takes 2 to 4 queries.*\(got 1\)/);
    expect(() => parseArgs(['--race', 'a=1', 'a=2', 'a=3', 'a=4', 'a=5'])).toThrow(/\(got 5\)/);
    expect(() => parseArgs(['--race', 'a=1', 'a=2', '--teacher', 'b=1'])).toThrow(
      '--race and --teacher exclude each other',
    );
    expect(() => parseArgs(['--race', 'a=1', 'oops'])).toThrow(ArgsError);
  });
});
