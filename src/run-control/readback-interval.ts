/**
 * How often the trainer reads its queued losses back to the CPU. Each read is a CPU–GPU sync (the
 * CPU waits for every queued step and the GPU then idles until more are queued), so losses are
 * read every READBACK_STEPS steps, or after READBACK_MS for slow steps, while the curve still
 * moves. The benchmark's batched timing reads back at the same interval.
 */
export const READBACK_STEPS = 10;
export const READBACK_MS = 2000;
