import { describe, expect, it } from 'vitest';
import { EXPLANATIONS } from './explanations';

describe('explanation cards cite the paper’s equation numbers', () => {
  // The paper numbers cosine decay (1), softmax (2), cross-entropy (3), the smoothed targets (4),
  // their optimal logits (5), the distillation loss (6) and mixup's x̂ (7) and ŷ (8); the §3
  // heuristics and §4 tweaks are stated without numbers.
  it('each card with a numbered formula names its number', () => {
    expect(EXPLANATIONS.cosine?.section).toBe('§5.1, Eq. (1)');
    expect(EXPLANATIONS.label_smoothing?.section).toBe('§5.2, Eqs. (4)–(5)');
    expect(EXPLANATIONS.distill?.section).toBe('§5.3, Eq. (6)');
    expect(EXPLANATIONS.mixup?.section).toBe('§5.4, Eqs. (7)–(8)');
  });

  it('the other cards cite no equation', () => {
    const numbered = new Set(['cosine', 'label_smoothing', 'distill', 'mixup']);
    for (const [key, card] of Object.entries(EXPLANATIONS)) {
      if (numbered.has(key)) continue;
      expect(card.section).not.toMatch(/Eq/);
    }
  });
});
