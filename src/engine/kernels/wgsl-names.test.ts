import { describe, expect, it } from 'vitest';
import { CONV_OPS } from '../../tuning-plan/plan';
import { GRADIENT_CHECK_SHADER } from '../fp16/gradient-check';
import { packedShaders } from '../packed';
import { convGeometry } from './conv-geometry';
import { CONV_KERNELS } from './conv-registry';
import { NUMBER_FORMATS } from '../../config/number-format';
import type { ShaderSource } from './dispatch';
import { matMulShaders } from './f16-kernels';
import { bnKernelShaders } from './fused-bn';
import {
  FUSED_NAG_LOSS_SCALED_SHADER,
  FUSED_NAG_SHADERS,
  fusedNagInPlaceShaders,
} from './fused-nag';
import { FUSED_RESIDUAL_SHADERS } from './fused-residual';
import { RUNNING_STATS_SHADERS, runningStatsInPlaceShaders } from './running-stats';
import { COLOR_NORMALIZE_SHADERS } from './color-normalize';
import { FUSED_CROSS_ENTROPY_SHADERS } from './fused-cross-entropy';
import { SPACE_TO_BATCH_SHADERS } from './space-to-batch';
import { SUBGROUP_PROBE_SHADER } from './subgroup-layout';
import { BILINEAR_UPSAMPLE_SHADERS } from './bilinear-upsample';

/**
 * WGSL lets a declaration shadow a builtin function or type, but naga (Firefox) has open issues
 * with it, and target-language keywords (`half` in MSL and HLSL, `out` in HLSL) get renamed by
 * every compiler: no shader of ours declares such a name.
 */

/** WGSL's builtin functions (WGSL spec §17) and predeclared types our shaders could collide with. */
const BUILTINS = `abs acos acosh all any arrayLength asin asinh atan atan2 atanh atomicAdd atomicAnd
atomicCompareExchangeWeak atomicExchange atomicLoad atomicMax atomicMin atomicOr atomicStore
atomicSub atomicXor bitcast ceil clamp cos cosh countLeadingZeros countOneBits countTrailingZeros
cross degrees determinant distance dot dot4I8Packed dot4U8Packed dpdx dpdxCoarse dpdxFine dpdy
dpdyCoarse dpdyFine exp exp2 extractBits faceForward firstLeadingBit firstTrailingBit floor fma
fract frexp fwidth insertBits inverseSqrt ldexp length log log2 max min mix modf normalize
pack2x16float pack2x16snorm pack2x16unorm pack4x8snorm pack4x8unorm pack4xI8 pack4xI8Clamp
pack4xU8 pack4xU8Clamp pow quantizeToF16 radians reflect refract reverseBits round saturate select
sign sin sinh smoothstep sqrt step storageBarrier subgroupAdd subgroupBroadcast subgroupMax
subgroupMin tan tanh textureBarrier textureLoad textureStore transpose trunc unpack2x16float
unpack2x16snorm unpack2x16unorm unpack4x8snorm unpack4x8unorm unpack4xI8 unpack4xU8
workgroupBarrier workgroupUniformLoad
array atomic bool f16 f32 i32 u32 mat2x2 mat2x3 mat2x4 mat3x2 mat3x3 mat3x4 mat4x2 mat4x3 mat4x4
ptr sampler vec2 vec3 vec4 vec2f vec3f vec4f vec2i vec3i vec4i vec2u vec3u vec4u vec2h vec3h vec4h
half out inout`.split(/\s+/);

/** WGSL's reserved words (WGSL spec §15.3): a declaration with one of these does not compile. */
const RESERVED = `NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto
await become cast catch class co_await co_return co_yield coherent column_major common compile
compile_fragment concept const_cast consteval constexpr constinit crate debugger decltype delete
demote demote_to_helper do dynamic_cast enum explicit export extends extern external fallthrough
filter final finally friend from fxgroup get goto groupshared highp impl implements import inline
instanceof interface layout lowp macro macro_rules match mediump meta mod module move mut mutable
namespace new nil noexcept noinline nointerpolation non_coherent noncoherent noperspective null
nullptr of operator package packoffset partition pass patch pixelfragment precise precision
premerge priv protected pub public readonly ref regardless register reinterpret_cast require
resource restrict self set shared sizeof smooth snorm static static_assert static_cast std
subroutine super target template this thread_local throw trait try type typedef typeid typename
typeof union unless unorm unsafe unsized use using varying virtual volatile wgsl where with
writeonly yield`.split(/\s+/);

const FORBIDDEN = new Set([...BUILTINS, ...RESERVED]);

/** Names a shader declares: functions, their parameters, let/var/const and module variables. */
function declaredNames(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/\bfn\s+(\w+)\s*\(([^)]*)\)/g)) {
    names.push(m[1]!);
    for (const p of m[2]!.matchAll(/(?:@builtin\(\w+\)\s*)?(\w+)\s*:/g)) names.push(p[1]!);
  }
  for (const m of code.matchAll(/\b(?:let|const|var(?:<[^>]*>)?)\s+(\w+)/g)) names.push(m[1]!);
  return names;
}

// Channels in multiples of 4 (direct and tiled), even but not of 4 (tiled, word pairs), a stem.
const GEOMETRIES = [
  convGeometry([2, 9, 9, 8], [3, 3, 8, 16], 1, 1),
  convGeometry([2, 9, 9, 6], [1, 1, 6, 10], 2, 0),
  convGeometry([1, 15, 13, 4], [7, 7, 4, 8], 2, 3),
];

function everyShader(): ShaderSource[] {
  const shaders: ShaderSource[] = [
    ...(['coalesced', 'coalesced-subgroups', 'per-channel'] as const).flatMap((k) => [
      ...bnKernelShaders(k, 'f32'),
      ...bnKernelShaders(k, 'packed'),
    ]),
    ...FUSED_RESIDUAL_SHADERS,
    ...FUSED_NAG_SHADERS,
    FUSED_NAG_LOSS_SCALED_SHADER,
    // In-place updates: every group size up to the largest (a device with 32 storage buffers).
    ...fusedNagInPlaceShaders(false, 32),
    ...fusedNagInPlaceShaders(true, 32),
    ...RUNNING_STATS_SHADERS,
    ...runningStatsInPlaceShaders(32),
    ...COLOR_NORMALIZE_SHADERS,
    ...FUSED_CROSS_ENTROPY_SHADERS,
    ...packedShaders(),
    ...SPACE_TO_BATCH_SHADERS,
    ...BILINEAR_UPSAMPLE_SHADERS,
    GRADIENT_CHECK_SHADER,
    SUBGROUP_PROBE_SHADER,
    ...matMulShaders('f16'),
    ...matMulShaders('emulated'),
  ];
  for (const p of NUMBER_FORMATS)
    for (const op of CONV_OPS)
      for (const g of GEOMETRIES)
        for (const kernel of CONV_KERNELS) {
          if (kernel.applies(op, g, p)) shaders.push(...kernel.shaders(op, g, p));
        }
  return shaders;
}

describe('WGSL names', () => {
  it('no shader declares a name of a WGSL builtin, a WGSL reserved word or a target-language keyword', () => {
    const shaders = everyShader();
    // Every family and number format took part.
    expect(shaders.length).toBeGreaterThan(150);
    const clashes = shaders.flatMap((s) =>
      declaredNames(s.code)
        .filter((name) => FORBIDDEN.has(name))
        .map((name) => `${s.label}: ${name}`),
    );
    expect([...new Set(clashes)]).toEqual([]);
  });

  it('the list holds the reserved word a shader of ours once declared', () => {
    expect(FORBIDDEN.has('layout')).toBe(true);
  });

  it('the check finds a shadowing declaration', () => {
    expect(declaredNames('fn half(v: f32) -> u32 { let sign = 1u; return sign; }')).toEqual([
      'half',
      'v',
      'sign',
    ]);
  });
});
