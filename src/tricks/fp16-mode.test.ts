import { describe, expect, it } from 'vitest';
import { fp16Mode, fp16ModeNote } from './fp16-mode';

describe('FP16 mode note', () => {
  it('names f16 arithmetic only where the adapter has shader-f16', () => {
    expect(fp16Mode(true)).toBe('f16');
    expect(fp16ModeNote('lavapipe', true)).toBe('f16 storage and f16 arithmetic on lavapipe');
    expect(fp16Mode(false)).toBe('f16-storage');
    expect(fp16ModeNote('SwiftShader', false)).toBe(
      'f16 storage with f32 arithmetic (SwiftShader has no shader-f16)',
    );
  });

  it('names f32 storage for a network with an odd channel count', () => {
    expect(fp16Mode(true, false)).toBe('f32-storage');
    expect(fp16ModeNote('lavapipe', true, false)).toBe(
      'f16 arithmetic on lavapipe, f32 storage: this network has an odd channel count, and f16 storage packs two per word',
    );
    expect(fp16Mode(false, false)).toBe('emulated');
    expect(fp16ModeNote('SwiftShader', false, false)).toMatch(/^f16 rounding in f32 arithmetic/);
  });
});
