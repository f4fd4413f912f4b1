import { buildResNetSpec, type ResNetSpec } from '../../architecture';
import type { ModelName } from '../../config/params';
import type { BenchModel } from '../../benchmark-report/report';

/** The benchmark's networks: ResNet-18 and ResNet-50 shapes at a width and input size. */

export interface BenchModelConfig {
  model: BenchModel;
  arch: ModelName;
  input: number;
  width: number;
}

/** Widths sized for lavapipe (2 CPU cores); pass width 1 on a real GPU. */
export const RESNET18_STYLE: BenchModelConfig = {
  model: 'resnet18-style',
  arch: 'resnet18',
  input: 32,
  width: 0.0625,
};
export const RESNET50_STYLE: BenchModelConfig = {
  model: 'resnet50-style',
  arch: 'resnet50',
  input: 64,
  width: 0.0625,
};

/** Classes of the benchmark's random labels. */
export const CLASSES = 10;

export function specOf(config: BenchModelConfig): ResNetSpec {
  return buildResNetSpec({
    model: config.arch,
    width: config.width,
    input: config.input,
    stem: 'auto',
    tweakB: false,
    tweakC: false,
    tweakD: false,
    zeroGamma: false,
    classes: CLASSES,
  });
}
