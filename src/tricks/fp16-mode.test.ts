import { describe, expect, it } from 'vitest';
import { fp16Format, fp16FormatNote } from './fp16-mode';

describe('FP16 storage and arithmetic, and the note that names them', () => {
  it('names f16 arithmetic only where the adapter has shader-f16', () => {
    expect(fp16Format(true)).toEqual({ storage: 'f16', arithmetic: 'f16' });
    expect(fp16FormatNote('lavapipe', true)).toBe('f16 storage and f16 arithmetic on lavapipe');
    expect(fp16Format(false)).toEqual({ storage: 'f16', arithmetic: 'f32' });
    expect(fp16FormatNote('SwiftShader', false)).toBe(
      'f16 storage with f32 arithmetic (SwiftShader has no shader-f16)',
    );
  });

  it('names f32 storage for a network with an odd channel count', () => {
    expect(fp16Format(true, false)).toEqual({ storage: 'f32', arithmetic: 'f16' });
    expect(fp16FormatNote('lavapipe', true, false)).toBe(
      'f16 arithmetic on lavapipe, f32 storage: this network has an odd channel count, and f16 storage packs two per word',
    );
    expect(fp16Format(false, false)).toEqual({ storage: 'f32', arithmetic: 'emulated' });
    expect(fp16FormatNote('SwiftShader', false, false)).toMatch(/^f16 rounding in f32 arithmetic/);
  });
});
