import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { ExperimentConfig } from '../config/params';
import { decayEpochs, gluoncvRecipe, RECIPE_MAPPING, timmRecipe } from './recipes';

const paper = (values: Partial<ExperimentConfig>): ExperimentConfig => ({
  ...DEFAULT_CONFIG,
  model: 'resnet50',
  width: 1,
  input: 224,
  batch: 256,
  epochs: 120,
  ...values,
});

/** A command as one line of flags. */
const flat = (command: string) => command.replace(/ \\\n\s+/g, ' ');

/** The expected commands below are written out by hand from timm's and GluonCV's argparse. */
describe('run-at-scale recipes: whole commands', () => {
  it('§2 baseline: step decay, every trick off', () => {
    const config = paper({});
    expect(timmRecipe(config).command).toBe(
      [
        'torchrun --nproc_per_node=8 train.py',
        '  --data-dir /data/imagenet',
        '  --model resnet50',
        '  --model-kwargs zero_init_last=False',
        '  --img-size 224',
        '  -b 32',
        '  --opt sgd --momentum 0.9',
        '  --weight-decay 0.0001',
        '  --opt-kwargs filter_bias_and_bn=False',
        '  --lr 0.1',
        '  --epochs 120',
        '  --sched multistep --decay-milestones 30 60 90 --decay-rate 0.1',
        '  --sched-on-updates',
        '  --warmup-epochs 0',
        '  --cooldown-epochs 0',
        '  --smoothing 0',
        '  --seed 1',
      ].join(' \\\n'),
    );
    expect(gluoncvRecipe(config).command).toBe(
      [
        'python train_imagenet.py',
        '  --use-rec',
        '  --rec-train /data/imagenet/rec/train.rec --rec-train-idx /data/imagenet/rec/train.idx',
        '  --rec-val /data/imagenet/rec/val.rec --rec-val-idx /data/imagenet/rec/val.idx',
        '  --model resnet50_v1 --mode hybrid',
        '  --input-size 224',
        '  --num-gpus 8 --batch-size 32 -j 32',
        '  --num-epochs 120',
        '  --lr 0.1 --momentum 0.9 --wd 0.0001',
        '  --lr-mode step --lr-decay 0.1 --lr-decay-epoch 30,60,90',
      ].join(' \\\n'),
    );
  });

  it('§5 full stack on ResNet-50-D: efficient setting, cosine, smoothing, mixup, distillation', () => {
    const config = paper({
      batch: 1024,
      linear_scaling: true,
      warmup: 5,
      zero_gamma: true,
      no_bias_decay: true,
      fp16: true,
      tweak_b: true,
      tweak_c: true,
      tweak_d: true,
      cosine: true,
      label_smoothing: 0.1,
      mixup: 0.2,
      distill: 'r1',
      temperature: 20,
      epochs: 200,
    });
    expect(flat(timmRecipe(config).command)).toBe(
      'torchrun --nproc_per_node=8 train.py --data-dir /data/imagenet --model resnet50d ' +
        '--img-size 224 -b 128 --opt sgd --momentum 0.9 --weight-decay 0.0001 ' +
        '--lr-base 0.1 --lr-base-size 256 --lr-base-scale linear --epochs 195 ' +
        '--sched cosine --min-lr 0 --sched-on-updates ' +
        '--warmup-epochs 5 --warmup-lr 0 --warmup-prefix --cooldown-epochs 0 ' +
        '--smoothing 0.1 --mixup 0.2 --amp ' +
        '--kd-model-name resnet152d.gluon_in1k --kd-temperature 20 ' +
        '--task-loss-weight 1 --distill-loss-weight 1 --seed 1',
    );
    expect(flat(gluoncvRecipe(config).command)).toBe(
      'python train_imagenet.py --use-rec ' +
        '--rec-train /data/imagenet/rec/train.rec --rec-train-idx /data/imagenet/rec/train.idx ' +
        '--rec-val /data/imagenet/rec/val.rec --rec-val-idx /data/imagenet/rec/val.idx ' +
        '--model resnet50_v1d --mode hybrid --input-size 224 ' +
        '--num-gpus 8 --batch-size 128 -j 32 --num-epochs 200 ' +
        '--lr 0.4 --momentum 0.9 --wd 0.0001 --lr-mode cosine --warmup-epochs 5 ' +
        '--last-gamma --no-wd --label-smoothing --mixup --mixup-alpha 0.2 --dtype float16 ' +
        '--teacher resnet152_v1d --temperature 20 --hard-weight 0.5',
    );
  });

  it('ResNet-10 with ResNet-C, step decay with warmup, no augmentation, 4 GPUs', () => {
    const config = paper({
      model: 'resnet10',
      input: 32,
      batch: 128,
      epochs: 12,
      warmup: 2,
      tweak_c: true,
      zero_gamma: true,
      wd: 0,
      crop: false,
      flip: false,
      jitter: false,
      pca: false,
      seed: 7,
      distill: 'r3',
      temperature: 4.5,
    });
    expect(flat(timmRecipe(config, { gpus: 4, dataDir: '/d' }).command)).toBe(
      'torchrun --nproc_per_node=4 train.py --data-dir /d --model resnet18 ' +
        "--model-kwargs 'layers=(1,1,1,1)' stem_type=deep stem_width=32 " +
        '--img-size 32 -b 32 --opt sgd --momentum 0.9 --weight-decay 0 --lr 0.1 --epochs 12 ' +
        '--sched multistep --decay-milestones 3 6 9 --decay-rate 0.1 --sched-on-updates ' +
        '--warmup-epochs 2 --warmup-lr 0 --cooldown-epochs 0 --smoothing 0 --no-aug ' +
        '--kd-model-name resnet152d.gluon_in1k --kd-temperature 4.5 ' +
        '--task-loss-weight 1 --distill-loss-weight 1 --seed 7',
    );
  });

  it('single augmentation steps off, ResNet-D alone', () => {
    const config = paper({ tweak_d: true, zero_gamma: true, crop: false, flip: false });
    const t = flat(timmRecipe(config).command);
    expect(t).toContain(' --model resnet50 --model-kwargs avg_down=True --img-size 224 ');
    expect(t).toContain(' --smoothing 0 --scale 1 1 --ratio 1 1 --hflip 0 --seed 1');
    expect(t).not.toContain('--color-jitter');
    expect(t).not.toContain('--no-aug');
    expect(flat(gluoncvRecipe(config).command)).toContain(' --model resnet50_v1d --mode hybrid ');
  });

  it('ResNet-C + D on ResNet-10 is resnet18d with one block per stage', () => {
    const t = flat(timmRecipe(paper({ model: 'resnet10', tweak_c: true, tweak_d: true })).command);
    expect(t).toContain(
      " --model resnet18d --model-kwargs 'layers=(1,1,1,1)' zero_init_last=False ",
    );
  });
});

describe('run-at-scale recipes: notes', () => {
  it('documents the differences that apply', () => {
    const config = paper({ label_smoothing: 0.2, width: 0.25, model: 'resnet26', distill: 'r2' });
    const t = timmRecipe(config).notes.join(' ');
    expect(t).toContain('ε/K');
    expect(t).toContain('Width ×0.25');
    expect(t).toContain('timm 1.0.23 or later');
    expect(t).toContain('teacher r2 has no timm name');
    expect(t).toContain('Eq. 6');
    expect(t).toContain('ResNet-B');
    expect(t).not.toContain('no knowledge distillation');
    const g = gluoncvRecipe(config).notes.join(' ');
    expect(g).toContain('fixed at ε = 0.1');
    expect(g).toContain('no ResNet-26');
    expect(g).toContain('--hard-weight 0.5 weighs both terms equally');
    expect(flat(gluoncvRecipe(config).command)).toContain('--model resnet50_v1 ');
  });

  it('explains the warmup prefix, the crops and mixed precision', () => {
    const cosineWarmup = timmRecipe(paper({ cosine: true, warmup: 5, fp16: true })).notes.join(' ');
    expect(cosineWarmup).toContain('--epochs 115: --warmup-prefix trains the 5 warmup epochs');
    expect(cosineWarmup).toContain('(i − 1)·η/m');
    expect(cosineWarmup).toContain('--amp');
    const stepWarmup = timmRecipe(paper({ warmup: 5 })).notes.join(' ');
    expect(stepWarmup).not.toContain('--warmup-prefix');
    expect(timmRecipe(paper({ crop: false })).notes.join(' ')).toContain(
      'centre square of the whole shorter side',
    );
    expect(
      timmRecipe(paper({ crop: false, flip: false, jitter: false, pca: false })).notes.join(' '),
    ).toContain('--no-aug resizes the shorter side');
    expect(gluoncvRecipe(paper({ fp16: true })).notes.join(' ')).toContain('no loss scaling');
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

  it('the mapping table names the distillation flags', () => {
    const row = RECIPE_MAPPING.find(([setting]) => setting === 'distill, temperature');
    expect(row).toEqual([
      'distill, temperature',
      '--kd-model-name resnet152d.gluon_in1k --kd-temperature T --task-loss-weight 1 --distill-loss-weight 1 (timm ≥ 1.0.23)',
      '--teacher resnet152_v1d --temperature T --hard-weight 0.5',
    ]);
  });
});
