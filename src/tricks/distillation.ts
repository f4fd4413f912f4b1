/**
 * Reference (plain-array) versions of the losses, used to test the tensor implementations.
 * Knowledge distillation, Eq. 6: ℓ(p, softmax(z)) + T²·ℓ(softmax(r/T), softmax(z/T)).
 */

export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]! / temperature);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp(logits[i]! / temperature - max);
    sum += out[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

/** ℓ(p, q) = −Σ p_i log q_i (Eq. 3). */
export function crossEntropy(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let loss = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! !== 0) loss -= p[i]! * Math.log(q[i]!);
  }
  return loss;
}

/** Eq. 6 for one example: p the (smoothed, mixed) target, z student and r teacher logits. */
export function distillationLoss(
  p: ArrayLike<number>,
  studentLogits: ArrayLike<number>,
  teacherLogits: ArrayLike<number>,
  temperature: number,
): number {
  const hard = crossEntropy(p, softmax(studentLogits));
  const soft = crossEntropy(
    softmax(teacherLogits, temperature),
    softmax(studentLogits, temperature),
  );
  return hard + temperature * temperature * soft;
}

/** T²·H(softmax(r/T)): the part of Eq. 6 that depends on the teacher alone. */
export function teacherEntropyTerm(teacherLogits: ArrayLike<number>, temperature: number): number {
  const pt = softmax(teacherLogits, temperature);
  return temperature * temperature * crossEntropy(pt, pt);
}

/**
 * The loss the engine optimizes and charts with a teacher: Eq. 6 minus T²·H(softmax(r/T)), that is
 * ℓ(p, softmax(z)) + T²·KL(softmax(r/T) ‖ softmax(z/T)). The two differ by a constant of the
 * teacher, so their gradients with respect to the student are identical; but the raw Eq. 6 value
 * carries that constant (≈ 400·log K at T = 20), which would hide the curve.
 */
export function reportedDistillationLoss(
  p: ArrayLike<number>,
  studentLogits: ArrayLike<number>,
  teacherLogits: ArrayLike<number>,
  temperature: number,
): number {
  return (
    distillationLoss(p, studentLogits, teacherLogits, temperature) -
    teacherEntropyTerm(teacherLogits, temperature)
  );
}
