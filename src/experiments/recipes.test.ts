import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import { decayEpochs, gluoncvRecipe, timmRecipe } from './recipes';

const paper = (values: Partial<ExperimentConfig>): ExperimentConfig => ({
  ...DEFAULT_CONFIG,
  model: 'resnet50',
  width: 1,
  input: 224,
  batch: 256,
  epochs: 120,
  ...values,
});

/** The flags of a command, one string. */
const flat = (command: string) => command.replace(/ \\\n\s+/g, ' ');

describe('run-at-scale recipes', () => {
  const cases: {
    name: string;
    config: ExperimentConfig;
    timm: string[];
    timmNot?: string[];
    gluon: string[];
    gluonNot?: string[];
  }[] = [
    {
      name: 'baseline §2',
      config: paper({}),
      timm: [
        'torchrun --nproc_per_node=8 train.py',
        '--model resnet50',
        '--model-kwargs zero_init_last=False',
        '-b 32',
        '--lr 0.1',
        '--sched multistep --decay-milestones 30 60 90 --decay-rate 0.1',
        '--warmup-epochs 0',
        '--smoothing 0',
        '--img-size 224',
      ],
      timmNot: ['--mixup', '--lr-base'],
      gluon: [
        'python train_imagenet.py',
        '--model resnet50_v1 ',
        '--num-gpus 8 --batch-size 32',
        '--lr 0.1 ',
        '--lr-mode step --lr-decay 0.1 --lr-decay-epoch 30,60,90',
      ],
      gluonNot: ['--last-gamma', '--no-wd', '--label-smoothing', '--mixup', '--warmup-epochs'],
    },
    {
      name: 'efficient §3',
      config: paper({
        batch: 1024,
        linear_scaling: true,
        warmup: 5,
        zero_gamma: true,
        no_bias_decay: true,
      }),
      timm: [
        '-b 128',
        '--lr-base 0.1 --lr-base-size 256 --lr-base-scale linear',
        '--warmup-epochs 5 --warmup-lr 0 --warmup-prefix',
      ],
      timmNot: ['zero_init_last=False', '--lr 0.1'],
      gluon: ['--batch-size 128', '--lr 0.4 ', '--warmup-epochs 5', '--last-gamma', '--no-wd'],
    },
    {
      name: 'ResNet-50-D full stack §5',
      config: paper({
        tweak_b: true,
        tweak_c: true,
        tweak_d: true,
        cosine: true,
        label_smoothing: 0.1,
        mixup: 0.2,
        zero_gamma: true,
      }),
      timm: ['--model resnet50d', '--sched cosine --min-lr 0', '--smoothing 0.1', '--mixup 0.2'],
      timmNot: ['--model-kwargs'],
      gluon: [
        '--model resnet50_v1d',
        '--lr-mode cosine',
        '--label-smoothing',
        '--mixup --mixup-alpha 0.2',
      ],
    },
    {
      name: 'ResNet-C alone and distillation',
      config: paper({ tweak_c: true, zero_gamma: true, distill: 'r1', temperature: 20 }),
      timm: ['--model resnet50', '--model-kwargs stem_type=deep stem_width=32'],
      gluon: ['--model resnet50_v1c', '--teacher resnet152_v1d --temperature 20 --hard-weight 0.5'],
    },
    {
      name: 'ResNet-D without C',
      config: paper({ tweak_d: true, zero_gamma: true }),
      timm: ['--model-kwargs avg_down=True'],
      gluon: ['--model resnet50_v1d'],
    },
  ];

  it.each(cases)('$name', ({ config, timm, timmNot, gluon, gluonNot }) => {
    const t = flat(timmRecipe(config).command);
    for (const part of timm) expect(t).toContain(part);
    for (const part of timmNot ?? []) expect(t).not.toContain(part);
    const g = flat(gluoncvRecipe(config).command) + ' ';
    for (const part of gluon) expect(g).toContain(part);
    for (const part of gluonNot ?? []) expect(g).not.toContain(part);
  });

  it('documents the differences that apply', () => {
    const config = paper({ label_smoothing: 0.2, width: 0.25, model: 'resnet26', distill: 'r2' });
    const t = timmRecipe(config).notes.join(' ');
    expect(t).toContain('ε/K');
    expect(t).toContain('Width ×0.25');
    expect(t).toContain('no knowledge distillation');
    expect(t).toContain('ResNet-B');
    const g = gluoncvRecipe(config).notes.join(' ');
    expect(g).toContain('fixed at ε = 0.1');
    expect(g).toContain('no ResNet-26');
    expect(flat(gluoncvRecipe(config).command)).toContain('--model resnet50_v1 ');
  });

  it('splits the batch over the GPUs and says when it cannot', () => {
    const r = timmRecipe(paper({ batch: 100 }), { gpus: 8, dataDir: '/d' });
    expect(flat(r.command)).toContain('-b 12');
    expect(r.notes.join(' ')).toContain('does not split evenly');
    expect(flat(gluoncvRecipe(paper({}), { gpus: 4, dataDir: '/d' }).command)).toContain(
      '--num-gpus 4 --batch-size 64',
    );
  });

  it('places step decay at ¼, ½, ¾ of training', () => {
    expect(decayEpochs(120)).toEqual([30, 60, 90]);
    expect(decayEpochs(12)).toEqual([3, 6, 9]);
  });
});
