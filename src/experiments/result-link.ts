import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { z } from 'zod';
import { parseQuery, toQuery } from '../config/url-codec';
import type { EvalResult, TrainPoint } from '../run/events';
import type { SavedRun } from './saved-run';
import { describeIssues, finalMetricsSchema } from './schemas';

/**
 * "Share results": a run's curves and final metrics in the URL fragment
 * (#results=<base64url(deflate(JSON))>), so the receiver sees the charts without training.
 * The fragment never reaches a server. Size cap: MAX_ENCODED_CHARS; the encoder thins the loss
 * curve (every k-th step, the last kept), the per-image gaps and, if need be, the evaluations
 * until the payload fits.
 */

export const RESULT_LINK_VERSION = 1;
/** About 8 KB of fragment: fits every browser, chat app and QR-free copy-paste. */
export const MAX_ENCODED_CHARS = 8000;
/** Decompressed JSON larger than this is refused (guards against deflate bombs). */
export const MAX_JSON_BYTES = 256 * 1024;
export const RESULTS_FRAGMENT_KEY = 'results';

const finite = z.number().finite();

const payloadSchema = z.object({
  v: z.literal(
    RESULT_LINK_VERSION,
    `must be ${RESULT_LINK_VERSION} (a link from another version?)`,
  ),
  name: z.string().max(200),
  query: z.string().max(2000),
  status: z.enum(['finished', 'stopped', 'failed', 'interrupted', 'running']),
  final: finalMetricsSchema.nullable(),
  warmupMs: finite.nullable(),
  /** [step, epoch, loss, lr] */
  points: z.array(z.tuple([finite, finite, finite, finite])).max(5000),
  /** [epoch, step, top1, top5 | null, valLoss, meanGap] */
  evals: z.array(z.tuple([finite, finite, finite, finite.nullable(), finite, finite])).max(1000),
  /** Per-image gaps of the last evaluation, thinned. */
  gaps: z.array(finite).max(5000),
  /** Points and gaps kept of how many. */
  thinned: z.object({ points: z.number().int(), gaps: z.number().int() }),
});
export type ResultPayload = z.infer<typeof payloadSchema>;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded =
    text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const binary = atob(padded);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Every k-th item, always keeping the last; at most `max` items. */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  if (max <= 0) return [];
  const stride = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % stride === 0);
  const last = items.at(-1)!;
  if (out.at(-1) !== last) {
    if (out.length >= max) out[out.length - 1] = last;
    else out.push(last);
  }
  return out;
}

const round = (x: number, digits: number) => Number(x.toPrecision(digits));

function payloadOf(
  run: SavedRun,
  maxPoints: number,
  maxGaps: number,
  maxEvals: number,
): ResultPayload {
  const last = run.evals.at(-1);
  const points = thin(run.points, maxPoints);
  const gaps = thin(last?.gaps ?? [], maxGaps);
  return {
    v: RESULT_LINK_VERSION,
    name: run.name.slice(0, 200),
    query: toQuery({ ...run.config, autorun: false }),
    status: run.status,
    final: run.final,
    warmupMs: run.warmupMs,
    points: points.map((p) => [p.step, p.epoch, round(p.loss, 5), round(p.lr, 5)]),
    evals: thin(run.evals, maxEvals).map((e) => [
      e.epoch,
      e.step,
      round(e.top1, 6),
      e.top5 === null ? null : round(e.top5, 6),
      round(e.valLoss, 5),
      round(e.meanGap, 5),
    ]),
    gaps: gaps.map((g) => round(g, 3)),
    thinned: { points: run.points.length, gaps: last?.gaps.length ?? 0 },
  };
}

function encodePayload(payload: ResultPayload): string {
  return toBase64Url(deflateSync(strToU8(JSON.stringify(payload)), { level: 9 }));
}

/** The fragment value for a run, within MAX_ENCODED_CHARS (curves thinned as needed). */
export function encodeResults(run: SavedRun): string {
  let maxPoints = 400;
  let maxGaps = 200;
  let maxEvals = 1000;
  for (;;) {
    const encoded = encodePayload(payloadOf(run, maxPoints, maxGaps, maxEvals));
    if (encoded.length <= MAX_ENCODED_CHARS) return encoded;
    if (maxGaps > 0) maxGaps = Math.floor(maxGaps / 2);
    if (maxPoints > 16) maxPoints = Math.floor(maxPoints / 2);
    else if (maxEvals > 8) maxEvals = Math.floor(maxEvals / 2);
    else throw new Error('These results do not fit in a link.');
  }
}

export type DecodeResult = { ok: true; payload: ResultPayload } | { ok: false; message: string };

export function decodeResults(encoded: string): DecodeResult {
  if (encoded.length === 0) return { ok: false, message: 'The results link is empty.' };
  if (encoded.length > MAX_ENCODED_CHARS) {
    return {
      ok: false,
      message: `The results link is too long (${encoded.length} characters; at most ${MAX_ENCODED_CHARS}).`,
    };
  }
  const bytes = fromBase64Url(encoded);
  if (!bytes) return { ok: false, message: 'The results link is damaged (not base64url text).' };
  let json: string;
  try {
    const inflated = inflateSync(bytes);
    if (inflated.length > MAX_JSON_BYTES) {
      return {
        ok: false,
        message: `The results link unpacks to more than ${MAX_JSON_BYTES / 1024} KB; refused.`,
      };
    }
    json = strFromU8(inflated);
  } catch {
    return { ok: false, message: 'The results link is damaged (it does not decompress).' };
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, message: 'The results link is damaged (its content is not JSON).' };
  }
  const parsed = payloadSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      message: `The results link is not valid: ${describeIssues(parsed.error)}.`,
    };
  }
  return { ok: true, payload: parsed.data };
}

/** The shared run as a saved run of origin 'shared'; settings the receiver cannot use are reported. */
export function runFromPayload(
  payload: ResultPayload,
  id: string,
  now: number,
): { run: SavedRun; ignored: string[] } {
  const parsed = parseQuery(payload.query);
  const points: TrainPoint[] = payload.points.map(([step, epoch, loss, lr]) => ({
    step,
    epoch,
    loss,
    lr,
  }));
  const evals: EvalResult[] = payload.evals.map(
    ([epoch, step, top1, top5, valLoss, meanGap], i) => ({
      epoch,
      step,
      top1,
      top5,
      valLoss,
      meanGap,
      gaps: i === payload.evals.length - 1 ? payload.gaps : [],
    }),
  );
  return {
    run: {
      id,
      name: payload.name || 'Shared run',
      config: parsed.config,
      status: payload.status === 'running' ? 'interrupted' : payload.status,
      origin: 'shared',
      createdAt: now,
      updatedAt: now,
      points,
      evals,
      final: payload.final,
      error: null,
      warmupMs: payload.warmupMs,
      sweep: null,
      hasWeights: false,
    },
    ignored: parsed.ignored.map((i) => `${i.key}=${i.value}: ${i.reason}`),
  };
}

/** Reads #results=… from a location hash; null when absent. */
export function resultsFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  return params.get(RESULTS_FRAGMENT_KEY);
}
