import type { BenchModel } from '../../benchmark-report/report';

/** How the Benchmark panel names networks and writes ratios. */
export const MODEL_NAMES: Record<BenchModel, string> = {
  'resnet18-style': 'ResNet-18-style',
  'resnet50-style': 'ResNet-50-style',
};

export const times = (v: number | null) => (v === null ? '—' : `×${v.toFixed(2)}`);
