import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsLimits,
} from './safetensors';

function file(header: unknown, data = new Uint8Array(0), declared?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips F32 and I64 tensors and the metadata', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'w', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) },
        { name: 'n', dtype: 'I64', shape: [], data: BigInt64Array.of(42n) },
        { name: 'empty', dtype: 'F32', shape: [0], data: new Float32Array(0) },
      ],
      { format: 'pt' },
    );
    // The header is padded so that the data starts at a multiple of 8.
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const decoded = decodeSafetensors(bytes);
    expect(decoded.metadata).toEqual({ format: 'pt' });
    const byName = new Map(decoded.tensors.map((t) => [t.name, t]));
    expect([...byName.get('w')!.data]).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(byName.get('w')!.shape).toEqual([2, 3]);
    expect(byName.get('n')!.data[0]).toBe(42n);
    expect(byName.get('n')!.shape).toEqual([]);
    expect(byName.get('empty')!.data.length).toBe(0);
  });

  it('reads a Node Buffer (whose slice is a view, not a copy) at its own offsets', () => {
    const bytes = encodeSafetensors([
      { name: 'a', dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) },
      { name: 'b', dtype: 'F32', shape: [1], data: Float32Array.of(3) },
    ]);
    const pooled = Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3);
    const byName = new Map(decodeSafetensors(pooled).tensors.map((t) => [t.name, [...t.data]]));
    expect(byName).toEqual(
      new Map([
        ['a', [1, 2]],
        ['b', [3]],
      ]),
    );
  });

  it('writes the layout of the reference implementation', () => {
    // safetensors' own docs: 8-byte little-endian N, then the JSON header, then the data.
    const bytes = encodeSafetensors([
      { name: 'a', dtype: 'F32', shape: [1], data: Float32Array.of(1) },
    ]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    expect([...bytes.subarray(8 + n)]).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('refuses malformed files with a clear message', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(4), /shorter than the 8-byte header length/],
      [file({}, new Uint8Array(0), 1000), /header says 1000 bytes, but only/],
      [file([1, 2]), /not a JSON object/],
      [
        file({ a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
        /dtype "F16"/,
      ],
      [
        file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
        /no valid shape/,
      ],
      [
        file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
        /needs 8 bytes/,
      ],
      [
        file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)),
        /after the 4 bytes of data/,
      ],
      [
        file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
        /starts at byte 4, expected 0/,
      ],
      [
        file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)),
        /4 bytes after the last tensor/,
      ],
      [file({ __metadata__: { a: 1 } }), /__metadata__ is not a map of strings/],
      [file({ a: 'x' }), /entry of a is not an object/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeSafetensors(bytes)).toThrow(SafetensorsError);
      expect(() => decodeSafetensors(bytes)).toThrow(message);
    }
    const notJson = file({});
    notJson[8] = 0x7b;
    notJson[9] = 0xff;
    expect(() => decodeSafetensors(notJson)).toThrow(/not UTF-8 JSON/);
  });

  it('enforces its size limits before parsing', () => {
    const limits: SafetensorsLimits = { maxFileBytes: 64, maxHeaderBytes: 32, maxTensors: 1 };
    expect(() => decodeSafetensors(new Uint8Array(65), limits)).toThrow(/more than the 64 allowed/);
    expect(() => decodeSafetensors(file({}, new Uint8Array(0), 2 ** 40), limits)).toThrow(
      /more than the 32 allowed/,
    );
    const two = encodeSafetensors([
      { name: 'a', dtype: 'F32', shape: [1], data: Float32Array.of(1) },
      { name: 'b', dtype: 'F32', shape: [1], data: Float32Array.of(2) },
    ]);
    expect(() =>
      decodeSafetensors(two, { ...limits, maxFileBytes: 1000, maxHeaderBytes: 1000 }),
    ).toThrow(/2 tensors, more than the 1 allowed/);
  });

  it('refuses to write data that does not fit the shape, and duplicate names', () => {
    expect(() =>
      encodeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: Float32Array.of(1) }]),
    ).toThrow(/4 bytes of data for shape \[2\]/);
    const t = { name: 'a', dtype: 'F32' as const, shape: [1], data: Float32Array.of(1) };
    expect(() => encodeSafetensors([t, t])).toThrow(/used twice/);
  });
});
