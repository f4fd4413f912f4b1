import { buildAblationTable, formatDelta, formatInterval, type RowDelta } from './ablation-table';
import type { SavedRun } from './saved-run';

/**
 * Teachers' notes on a Table 9 sweep: what the paper found on ADE20K and what these runs found, no
 * more than their seed noise allows. The paper's claim (§6.2): the backbone trained with cosine
 * decay gives a better FCN than the efficient one, and each later refinement (label smoothing,
 * distillation, mixup), though it raises the backbone's top-1, gives a worse FCN than cosine decay
 * alone. So "+ cosine" is compared with "D-efficient", and every later row with "+ cosine".
 */

/** The paper's Table 9 (ResNet-50 backbones, FCN on ADE20K): top-1, pixAcc, mIoU in %. */
export const PAPER_TABLE9: Readonly<
  Record<string, { top1: number; pixAcc: number; mIoU: number }>
> = {
  'B-standard': { top1: 76.14, pixAcc: 78.08, mIoU: 37.05 },
  'D-efficient': { top1: 77.16, pixAcc: 78.88, mIoU: 38.88 },
  '+ cosine': { top1: 77.91, pixAcc: 79.25, mIoU: 39.33 },
  '+ smooth': { top1: 78.34, pixAcc: 78.64, mIoU: 38.75 },
  '+ distill w/o mixup': { top1: 78.67, pixAcc: 78.97, mIoU: 38.9 },
  '+ mixup w/o distill': { top1: 79.16, pixAcc: 78.47, mIoU: 37.99 },
  '+ mixup w/ distill': { top1: 79.29, pixAcc: 78.72, mIoU: 38.4 },
};

/** [row, the row it is compared with]. */
const COMPARISONS: readonly [string, string][] = [
  ['+ cosine', 'D-efficient'],
  ['+ smooth', '+ cosine'],
  ['+ distill w/o mixup', '+ cosine'],
  ['+ mixup w/o distill', '+ cosine'],
  ['+ mixup w/ distill', '+ cosine'],
];

/**
 * A measured Δ with its 95% interval, and how it reads against the paper's sign: "within noise"
 * (the interval holds 0), "as the paper" or "against the paper" (it does not), or untested.
 */
function measured(d: RowDelta | null, paper: number): string {
  if (!d) return 'no finished pair';
  const value = formatDelta(d.value, 2);
  if (!d.interval) return `${value} (one seed: not tested against noise)`;
  if (d.interval.withinNoise) return `${value} ${formatInterval(d, 2)}`;
  const side = Math.sign(d.value) === Math.sign(paper) ? 'as the paper' : 'against the paper';
  return `${value} ${formatInterval(d, 2)} (${side})`;
}

/**
 * One sentence per comparison whose two rows both have finished FCN runs among `runs` (the
 * segmentation runs of a Table 9 sweep; other runs are ignored), in the paper's order.
 */
export function table9Findings(runs: readonly SavedRun[]): string[] {
  const fcns = runs.filter((r) => r.sweep?.table === 'table9' && r.config.task === 'segment');
  const byLabel = (label: string) => fcns.filter((r) => r.sweep!.label === label);
  const findings: string[] = [];
  for (const [label, against] of COMPARISONS) {
    const row = byLabel(label);
    const base = byLabel(against);
    if (row.length === 0 || base.length === 0) continue;
    // Δ of `label` to `against`, paired seed by seed, as the comparison table computes it.
    const delta = buildAblationTable([...base, ...row]).rows[1];
    if (!delta) continue;
    const paper = PAPER_TABLE9[label]!;
    const paperBase = PAPER_TABLE9[against]!;
    const paperPixAcc = paper.pixAcc - paperBase.pixAcc;
    const paperMIoU = paper.mIoU - paperBase.mIoU;
    findings.push(
      `${label} vs ${against}: the paper ${formatDelta(paperPixAcc, 2)} pixAcc, ` +
        `${formatDelta(paperMIoU, 2)} mIoU; these runs ${measured(delta.dTop1, paperPixAcc)} pixAcc, ` +
        `${measured(delta.dMIoU, paperMIoU)} mIoU.`,
    );
  }
  return findings;
}
