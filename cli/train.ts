/**
 * Headless training on WebGPU (Dawn in Node) with the page's engine:
 *   npm run train -- "model=resnet10&width=0.125&epochs=2" [--json out.json] [--teacher "<query>"]
 *   npm run train -- --race "<query A>" "<query B>" [--json out.json]
 *   npm run train -- --data cifar-10-binary.tar.gz "dataset=cifar10&epochs=2"
 *   npm run train -- --summary "model=resnet50&input=224&classes=1000"
 *   npm run train -- --export-timm out/ "model=resnet18&epochs=2"
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildResNetSpec,
  configPackable,
  resnetOptionsFromConfig,
  summarizeResNet,
} from '../src/architecture';
import { classCount, parseQuery, type ExperimentConfig } from '../src/config';
import { builtInDataset } from '../src/data/built-in';
import { table9Findings } from '../src/experiments/table9-findings';
import type { ImageDataset } from '../src/data/dataset';
import type { TrainedModel } from '../src/engine/trainer';
import type {
  BackendInfo,
  EvalResult,
  NamedWeight,
  TrainerEvent,
  TrainPoint,
} from '../src/run/events';
import { readTimmCheckpoint } from '../src/timm/import';
import { ArgsError, parseArgs, USAGE, type CliCommand } from './args';
import { backboneRows, dryRunRows, savedRunOf, teacherIndex, teacherRows } from './sweep-runs';
import { buildAblationTable, toMarkdown } from '../src/experiments/ablation-table';
import type { SavedRun } from '../src/experiments/saved-run';
import { sweepRows } from '../src/experiments/sweeps';
import { loadDataPath } from './data';
import { hubNameInQuery, loadHubDataset, hubTarget } from './hub';
import { errorMessage } from '../src/errors';
import { fp16FormatNote } from '../src/tricks/fp16-mode';
import { raceProblem } from '../src/architecture/race-memory';
import { raceSettingsProblem, racersOf } from '../src/experiments/race';
import { createRunControls, type RunControls } from '../src/run-control/controls';
import { createRaceTurns, raceSeat, type RaceSeat } from '../src/run-control/race-turns';

const TEACHER_RUN_ID = 'r1';
/** The `backbone` a run started from --backbone DIR names. */
const BACKBONE_RUN_ID = 'r0';

function parseConfig(query: string, label: string): ExperimentConfig {
  const { config, ignored } = parseQuery(query);
  for (const p of ignored) {
    console.warn(`warning: ${label}: ignored ${p.key}=${p.value}: ${p.reason}`);
  }
  return config;
}

function architectureSummary(config: ExperimentConfig, classes: number) {
  const spec = buildResNetSpec(resnetOptionsFromConfig(config, classes));
  return summarizeResNet(spec, config.input);
}

interface GapHistogram {
  start: number;
  binWidth: number;
  counts: number[];
}

function gapHistogram(gaps: number[], binWidth = 0.5): GapHistogram {
  if (gaps.length === 0) return { start: 0, binWidth, counts: [] };
  const start = Math.floor(Math.min(...gaps) / binWidth) * binWidth;
  const counts: number[] = [];
  for (const g of gaps) {
    const bin = Math.floor((g - start) / binWidth);
    while (counts.length <= bin) counts.push(0);
    counts[bin]!++;
  }
  return { start, binWidth, counts };
}

interface RunRecord {
  label: string;
  query: string;
  config: ExperimentConfig;
  summary: { params: number; macs: number };
  epochs: (Omit<EvalResult, 'gaps'> & {
    trainLoss: number;
    lr: number;
    imagesPerSecond: number;
    seconds: number;
    gapHistogram: GapHistogram;
  })[];
  trainPoints: TrainPoint[];
  warmupMs: number;
  finalTop1: number | null;
  outcome: string;
}

const fmt = (v: number | null, digits = 3) => (v === null ? '  -  ' : v.toFixed(digits));

async function train(
  label: string,
  query: string,
  config: ExperimentConfig,
  dataset: ImageDataset,
  teacher: TrainedModel | null,
  backend: BackendInfo,
  {
    race,
    backbone = null,
  }: {
    /** A racer's seat and the race's shared controls. */
    race?: { seat: RaceSeat; controls: RunControls };
    /** Transfer learning: the tensors the run starts from. */
    backbone?: NamedWeight[] | null;
  } = {},
): Promise<{ record: RunRecord; trained: TrainedModel | null }> {
  const { createTrainer } = await import('../src/engine/trainer');
  const { fileTuningCache } = await import('../src/engine/autotune/file-cache');
  const summary = architectureSummary(config, dataset.classNames.length);
  console.log(
    `[${label}] ${config.model} width ${config.width} input ${config.input}: ` +
      `${summary.params.toLocaleString('en-US')} params, ${(summary.macs / 1e6).toFixed(1)} M MACs/image`,
  );
  const record: RunRecord = {
    label,
    query,
    config,
    summary: { params: summary.params, macs: summary.macs },
    epochs: [],
    trainPoints: [],
    warmupMs: 0,
    finalTop1: null,
    outcome: 'failed',
  };
  let epochPoints: TrainPoint[] = [];
  let imagesPerSecond = 0;
  let epochStart = performance.now();
  const tty = process.stderr.isTTY;
  // A race's racers print their epochs in turn: each line names its racer.
  const prefix = race ? `[${label}] ` : '';
  // Segmentation reports Table 9's metrics where classification has top-1 and top-5.
  const segment = config.task === 'segment';
  console.log(
    `${prefix}epoch  train-loss  val-loss ${segment ? 'pixAcc   mIoU' : ' top-1  top-5'}  mean-gap        lr   img/s      s`,
  );

  const onEvent = (event: TrainerEvent) => {
    switch (event.type) {
      case 'status':
        console.error(`[${label}] ${event.message}`);
        break;
      case 'phase':
        if (event.phase === 'training' || event.phase === 'failed' || event.phase === 'stopped') {
          console.error(`[${label}] phase: ${event.phase}`);
        }
        break;
      case 'train-points':
        record.trainPoints.push(...event.points);
        epochPoints.push(...event.points);
        break;
      case 'progress': {
        const p = event.progress;
        imagesPerSecond = p.imagesPerSecond;
        if (tty) {
          process.stderr.write(
            `\r  step ${p.step}/${p.totalSteps}  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${p.etaSeconds.toFixed(0)} s   `,
          );
        }
        break;
      }
      case 'eval': {
        if (tty) process.stderr.write('\r\x1b[K');
        const r = event.result;
        const trainLoss =
          epochPoints.reduce((s, p) => s + p.loss, 0) / Math.max(1, epochPoints.length);
        const lr = epochPoints.at(-1)?.lr ?? 0;
        const seconds = (performance.now() - epochStart) / 1000;
        // The predicted masks are for the page's previews.
        const { gaps, predictedMasks: _masks, ...rest } = r;
        record.epochs.push({
          ...rest,
          trainLoss,
          lr,
          imagesPerSecond,
          seconds,
          gapHistogram: gapHistogram(gaps),
        });
        console.log(
          prefix +
            [
              String(r.epoch).padStart(5),
              fmt(trainLoss, 4).padStart(10),
              fmt(r.valLoss, 4).padStart(9),
              fmt(segment ? (r.pixelAccuracy ?? null) : r.top1).padStart(6),
              fmt(segment ? (r.mIoU ?? null) : r.top5).padStart(6),
              fmt(r.meanGap, 2).padStart(9),
              r.step > 0 ? lr.toExponential(2).padStart(9) : '',
              imagesPerSecond.toFixed(1).padStart(7),
              seconds.toFixed(1).padStart(6),
            ].join(' '),
        );
        epochPoints = [];
        epochStart = performance.now();
        break;
      }
      case 'error':
        console.error(`[${label}] error: ${event.message}`);
        break;
      case 'notice':
        // Kernels excluded on this GPU, cache problems, a replaced device: heard, not fatal.
        if (tty) process.stderr.write('\r\x1b[K');
        console.error(`[${label}] notice: ${event.message}`);
        break;
      case 'finished':
        record.warmupMs = event.warmupMs;
        record.finalTop1 = event.finalTop1;
        console.log(
          `[${label}] finished: top-1 ${fmt(event.finalTop1)}, shader warm-up ${(event.warmupMs / 1000).toFixed(1)} s`,
        );
        if (config.fp16) {
          const last = record.trainPoints.at(-1);
          console.log(
            `[${label}] fp16: final loss scale ${last?.lossScale ?? '-'}, ` +
              `${last?.skipped ?? 0} of ${last?.step ?? 0} updates skipped on overflow`,
          );
        }
        break;
      default:
        break;
    }
  };

  const trainer = createTrainer(
    {
      config,
      dataset,
      teacher,
      backbone,
      onEvent,
      adapter: backend.adapterIdentity,
      tuningCache: fileTuningCache(),
      ...(race ? { raceSeat: race.seat } : {}),
    },
    race?.controls,
  );
  const onSigint = () => {
    console.error(`\n[${label}] stopping (Ctrl-C again to quit now)`);
    process.off('SIGINT', onSigint);
    trainer.stop();
  };
  process.on('SIGINT', onSigint);
  const trained = await trainer.run();
  process.off('SIGINT', onSigint);
  record.outcome = trained?.outcome ?? 'failed';
  return { record, trained };
}

/**
 * The backend and the dataset a run (or a sweep's runs, `others`) trains on: the query's seed and
 * sizes, --data, or --hub (or a query with source=hub, or dataset=hub&hub=owner/name). An exit
 * code when either cannot be had.
 */
async function prepare(
  config: ExperimentConfig,
  { data, hub: hubFlag }: { data: string | null; hub: string | null },
  others: (ExperimentConfig | null)[],
): Promise<{ backend: BackendInfo; dataset: ImageDataset } | number> {
  const hub = hubFlag ?? hubNameInQuery(config);
  if (config.dataset !== 'synthetic' && data === null && hub === null) {
    console.error(
      `error: dataset=${config.dataset} needs its files: add --data PATH (or --hub ${config.dataset === 'hub' ? 'owner/name' : config.dataset} for the Hugging Face Hub)`,
    );
    return 2;
  }

  const { initNodeBackend } = await import('../src/engine/backend-node');
  let backend: BackendInfo;
  try {
    backend = await initNodeBackend();
  } catch (error) {
    console.error(`error: ${errorMessage(error)}`);
    return 1;
  }
  console.log(
    `backend: ${backend.backend} on ${backend.adapter} (shader-f16: ${backend.shaderF16})`,
  );
  if (config.fp16 || others.some((c) => c?.fp16)) {
    const packable = configPackable([config, ...others].find((c) => c?.fp16) ?? config);
    console.log(`fp16: ${fp16FormatNote(backend.adapter, backend.shaderF16, packable)}`);
  }

  // One dataset for teacher and student: the main query's seed and sizes, or --data.
  let dataset: ImageDataset;
  if (data !== null || hub !== null) {
    try {
      const log = (line: string) => console.error(line);
      const loaded =
        hub !== null
          ? await loadHubDataset(hub, config, log)
          : await loadDataPath(data!, config, log);
      if (config.dataset !== 'synthetic' && config.dataset !== loaded.kind) {
        console.warn(`warning: dataset=${config.dataset}, but ${data ?? hub} holds ${loaded.kind}`);
      }
      // The runs record where their data came from, as a page link would.
      const hubId = loaded.kind === 'hub' ? hubTarget(hub!).id : '';
      for (const c of [config, ...others]) {
        if (!c) continue;
        c.dataset = loaded.kind;
        if (hub !== null) Object.assign(c, { source: 'hub', hub: hubId });
      }
      for (const w of loaded.warnings) console.warn(`warning: ${w}`);
      dataset = loaded.dataset;
    } catch (error) {
      console.error(`error: ${errorMessage(error)}`);
      return 1;
    }
  } else {
    dataset = builtInDataset(config);
  }
  console.log(
    `dataset: ${dataset.name}, ${dataset.train.count} train / ${dataset.val.count} val images, ` +
      `${dataset.classNames.length} classes`,
  );
  return { backend, dataset };
}

/**
 * --sweep: trains a table's rows in order (teachers and Table 9's backbones first, each kept until
 * the rows that need it have trained) on one dataset (Table 9's FCNs on the built-in scenes), then
 * prints the comparison table: mean ± std per row over its seeds, and Δ to the first row with a
 * paired 95% interval.
 */
async function sweep(command: Extract<CliCommand, { kind: 'sweep' }>): Promise<number> {
  const config = parseConfig(command.query, 'query');
  if (command.repeats !== null) config.repeats = command.repeats;
  const plan = sweepRows(command.table, config);
  if (command.dryRun) {
    console.log(JSON.stringify(dryRunRows(plan.rows), null, 2));
    return 0;
  }
  for (const note of plan.notes) console.log(`note: ${note}`);
  const configs = plan.rows.map((row) => parseConfig(row.query, row.label));
  const prepared = await prepare(config, command, configs);
  if (typeof prepared === 'number') return prepared;
  const { backend, dataset } = prepared;
  // Teachers and Table 9's backbones are kept until the rows that need them have trained.
  const keep = new Set([...teacherRows(plan.rows), ...backboneRows(plan.rows)]);
  const keptModels = new Map<number, TrainedModel>();
  // Table 9's FCNs train on the built-in scenes, whatever the backbones classify.
  let scenes: ImageDataset | null = null;
  const runs: SavedRun[] = [];
  const everyRun = new Map<string, SavedRun>();
  const records: RunRecord[] = [];
  let failed = false;
  for (const [i, row] of plan.rows.entries()) {
    const rowConfig = configs[i]!;
    const t = teacherIndex(plan.rows, i);
    const teacher = t === null ? null : (keptModels.get(t) ?? null);
    if (t !== null && !teacher) {
      console.error(`error: ${row.label} has no teacher (${row.teacher} did not finish)`);
      failed = true;
      continue;
    }
    if (t !== null) rowConfig.distill = `r${t + 1}`;
    const b = row.backboneRow ?? null;
    const backboneModel = b === null ? null : (keptModels.get(b) ?? null);
    if (b !== null && !backboneModel) {
      console.error(`error: ${row.label} has no backbone (row ${b + 1} did not finish)`);
      failed = true;
      continue;
    }
    if (b !== null) rowConfig.backbone = `r${b + 1}`;
    const backbone = backboneModel
      ? await (await import('../src/engine/timm-checkpoint')).readWeights(backboneModel.model)
      : null;
    const rowData = rowConfig.task === 'segment' ? (scenes ??= builtInDataset(rowConfig)) : dataset;
    const label = `${row.label}${row.column ? ` (${row.column})` : ''}, seed ${row.seed}`;
    const { record, trained } = await train(
      label,
      row.query,
      rowConfig,
      rowData,
      teacher,
      backend,
      { backbone },
    );
    records.push(record);
    const finished = trained?.outcome === 'finished';
    failed ||= !finished;
    if (finished && keep.has(i)) keptModels.set(i, trained!);
    else trained?.dispose();
    const run = savedRunOf(command.table, i, row, {
      config: rowConfig,
      points: record.trainPoints,
      evals: record.epochs,
      epochSeconds: record.epochs.map((e) => e.seconds),
      warmupMs: record.warmupMs,
      finished,
    });
    everyRun.set(run.id, run);
    if (row.inTable) runs.push(run);
  }
  for (const model of keptModels.values()) model.dispose();
  // Table 9 shows each FCN's backbone top-1 beside its scores.
  const table = toMarkdown(buildAblationTable(runs, (r) => everyRun.get(r.config.backbone)));
  console.log(`\n${plan.title}\n\n${table}`);
  const findings = table9Findings(runs);
  for (const finding of findings) console.log(`finding: ${finding}`);
  if (command.json) {
    const out = {
      table: command.table,
      title: plan.title,
      notes: plan.notes,
      backend,
      runs: records,
      markdown: table,
      ...(findings.length > 0 ? { findings } : {}),
    };
    writeFileSync(command.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${command.json}`);
  }
  return failed ? 1 : 0;
}

/** --export-timm: the finished run as a checkpoint timm loads (README, "Checkpoints for PyTorch"). */
async function exportTimm(
  dir: string,
  query: string,
  trained: TrainedModel,
  dataset: ImageDataset,
): Promise<void> {
  const { timmExportFiles } = await import('../src/engine/timm-checkpoint');
  const options = resnetOptionsFromConfig(trained.config, trained.classes);
  const files = await timmExportFiles(trained.model, options, dataset.val, dataset, {
    steps: trained.steps,
    loadScript: readFileSync(new URL('../src/timm/load_timm.py', import.meta.url), 'utf8'),
    source: { app: 'Tricks Playground CLI', query, run: 'run' },
  });
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.name), file.bytes);
  console.log(`wrote ${files.map((f) => join(dir, f.name)).join(', ')}`);
}

/**
 * --race: 2–4 queries trained at once on one GPU, one step each in turn (the page's race), on one
 * dataset; prints each racer's epochs and the final table. Racers train no teachers.
 */
async function race(command: Extract<CliCommand, { kind: 'race' }>): Promise<number> {
  const configs = command.queries.map((q, i) => parseConfig(q, `racer ${i + 1}`));
  const distilling = configs.findIndex((c) => c.distill !== '');
  if (distilling >= 0) {
    console.error(`error: racer ${distilling + 1} distils; a race trains no teachers`);
    return 2;
  }
  const settings = raceSettingsProblem(configs);
  if (settings) {
    console.error(`error: ${settings}`);
    return 2;
  }
  const prepared = await prepare(configs[0]!, command, configs.slice(1));
  if (typeof prepared === 'number') return prepared;
  const { backend, dataset } = prepared;
  const memory = raceProblem(configs, backend.maxStorageBufferBindingSize);
  if (memory) {
    console.error(`error: ${memory}`);
    return 2;
  }
  const racers = racersOf(configs);
  racers.forEach((r, i) => console.log(`racer r${i + 1}: ${r.label}`));
  const turns = createRaceTurns(configs.length);
  const controls = createRunControls();
  const results = await Promise.all(
    configs.map(async (config, i) => {
      try {
        const seat = raceSeat(turns, i);
        return await train(`r${i + 1}`, command.queries[i]!, config, dataset, null, backend, {
          race: { seat, controls },
        });
      } finally {
        turns.leave(i);
      }
    }),
  );
  console.log('\nracer  outcome   top-1  top-5  mean-gap  label');
  results.forEach(({ record }, i) => {
    const last = record.epochs.at(-1);
    console.log(
      [
        `r${i + 1}`.padEnd(5),
        record.outcome.padEnd(8),
        fmt(record.finalTop1).padStart(6),
        fmt(last?.top5 ?? null).padStart(6),
        fmt(last?.meanGap ?? null, 2).padStart(9),
        ` ${racers[i]!.label}`,
      ].join(' '),
    );
  });
  if (command.json) {
    const out = {
      racers: results.map(({ record }, i) => {
        const { label: _label, ...run } = record;
        return { ...run, racer: `r${i + 1}`, raced: racers[i]!.label, backend };
      }),
    };
    writeFileSync(command.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${command.json}`);
  }
  for (const { trained } of results) trained?.dispose();
  return results.every(({ record }) => record.outcome === 'finished') ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command.kind === 'summary') {
    const config = parseConfig(command.query, 'summary');
    const classes = config.classes > 0 ? config.classes : classCount(config);
    const { params, macs, layers } = architectureSummary(config, classes);
    const out = { model: config.model, input: config.input, classes, params, macs, layers };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }

  if (command.kind === 'sweep') return sweep(command);
  if (command.kind === 'race') return race(command);

  const config = parseConfig(command.query, 'query');
  const teacherConfig = command.teacher === null ? null : parseConfig(command.teacher, 'teacher');
  if (teacherConfig && !config.distill) config.distill = TEACHER_RUN_ID;
  if (config.distill && !teacherConfig) {
    console.error(`error: distill=${config.distill} needs a teacher: add --teacher "<query>"`);
    return 2;
  }

  let backbone: NamedWeight[] | null = null;
  if (command.backbone !== null) {
    const dir = command.backbone;
    try {
      backbone = readTimmCheckpoint(
        readFileSync(join(dir, 'model.json'), 'utf8'),
        readFileSync(join(dir, 'model.safetensors')),
      ).weights;
    } catch (error) {
      console.error(`error: --backbone ${dir}: ${errorMessage(error)}`);
      return 2;
    }
    // The run's settings name a backbone; here it is the folder's (r0: no run of this process).
    if (!config.backbone) config.backbone = BACKBONE_RUN_ID;
    console.log(
      `backbone: ${dir} (${config.transfer === 'probe' ? 'linear probe' : `fine-tune, backbone lr ×${config.backbone_lr}`})`,
    );
  } else if (config.backbone) {
    console.error(
      `error: backbone=${config.backbone} needs its weights: add --backbone DIR (a folder written by --export-timm)`,
    );
    return 2;
  }

  const prepared = await prepare(config, command, [teacherConfig]);
  if (typeof prepared === 'number') return prepared;
  const { backend, dataset } = prepared;

  let teacherRecord: RunRecord | null = null;
  let teacher: TrainedModel | null = null;
  if (teacherConfig && command.teacher !== null) {
    const t = await train(
      `teacher ${TEACHER_RUN_ID}`,
      command.teacher,
      teacherConfig,
      dataset,
      null,
      backend,
    );
    teacherRecord = t.record;
    if (t.trained?.outcome !== 'finished') {
      console.error('error: the teacher run did not finish');
      return 1;
    }
    teacher = t.trained;
  }
  const { record, trained } = await train('run', command.query, config, dataset, teacher, backend, {
    backbone,
  });
  let exportFailed = false;
  if (command.exportTimm !== null) {
    if (trained?.outcome === 'finished') {
      await exportTimm(command.exportTimm, command.query, trained, dataset).catch(
        (error: unknown) => {
          console.error(`error: --export-timm: ${errorMessage(error)}`);
          exportFailed = true;
        },
      );
    } else {
      console.error('error: --export-timm: the run did not finish, so nothing was exported');
    }
  }

  if (command.json) {
    const { label: _label, ...main } = record;
    const out = {
      ...main,
      backend,
      ...(teacherRecord ? { teacher: teacherRecord } : {}),
    };
    writeFileSync(command.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`wrote ${command.json}`);
  }
  trained?.dispose();
  teacher?.dispose();
  return record.outcome === 'finished' && !exportFailed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
