/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) with the distributions the tricks need.
 * Every random choice of a run (data, init, shuffling, augmentation, mixup) draws from one of
 * these, so a seed reproduces the run.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(low: number, high: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  normal(mean?: number, std?: number): number;
  gamma(shape: number): number;
  beta(alpha: number, beta: number): number;
  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array;
  /** A new independent generator derived from this one. */
  fork(): Rng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32();

  let spareNormal: number | null = null;
  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    uniform: (low, high) => low + (high - low) * rng.next(),
    int: (n) => Math.floor(rng.next() * n),
    normal(mean = 0, std = 1) {
      if (spareNormal !== null) {
        const z = spareNormal;
        spareNormal = null;
        return mean + std * z;
      }
      // Box-Muller; 1 - next() is in (0, 1], so the log is finite.
      const u = 1 - rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return mean + std * r * Math.cos(2 * Math.PI * v);
    },
    gamma(shape) {
      if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
      if (shape < 1) {
        // Gamma(k) = Gamma(k + 1) · U^(1/k) (Marsaglia & Tsang's boost for k < 1).
        return rng.gamma(shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
      }
      const d3 = shape - 1 / 3;
      const c3 = 1 / Math.sqrt(9 * d3);
      for (;;) {
        let x: number;
        let v: number;
        do {
          x = rng.normal();
          v = 1 + c3 * x;
        } while (v <= 0);
        v = v * v * v;
        const u = 1 - rng.next();
        if (u < 1 - 0.0331 * x ** 4) return d3 * v;
        if (Math.log(u) < 0.5 * x * x + d3 * (1 - v + Math.log(v))) return d3 * v;
      }
    },
    beta(alpha, betaParam) {
      const x = rng.gamma(alpha);
      const y = rng.gamma(betaParam);
      const sum = x + y;
      // For tiny α both draws can underflow to 0; the limit of Beta(α, α) is a fair coin on {0, 1}.
      if (sum === 0) return rng.next() < alpha / (alpha + betaParam) ? 1 : 0;
      return x / sum;
    },
    permutation(n) {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = p[i]!;
        p[i] = p[j]!;
        p[j] = t;
      }
      return p;
    },
    fork: () => createRng(nextUint32()),
  };
  return rng;
}
