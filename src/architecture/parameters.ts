import { allConvBns, type ResNetSpec } from './resnet-spec';

export type ParameterRole = 'conv-weight' | 'fc-weight' | 'fc-bias' | 'bn-gamma' | 'bn-beta';

export type ParameterInit =
  { kind: 'xavier-uniform'; limit: number } | { kind: 'constant'; value: number };

export interface ParameterSpec {
  name: string;
  /** tfjs layout: conv [k, k, in, out], fc [in, out], vectors [n]. */
  shape: number[];
  role: ParameterRole;
  init: ParameterInit;
}

/**
 * Xavier-uniform limit a = sqrt(6 / (d_in + d_out)) (paper §2.1). For a conv, d_in and d_out are
 * the fans k·k·c_in and k·k·c_out, as in Glorot & Bengio and MXNet's Xavier initializer.
 */
export function xavierLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/** Every trainable parameter, in a stable order, with its role and initializer. */
export function listParameters(spec: ResNetSpec): ParameterSpec[] {
  const params: ParameterSpec[] = [];
  for (const { conv, bn } of allConvBns(spec)) {
    const area = conv.kernel * conv.kernel;
    params.push({
      name: `${conv.name}.weight`,
      shape: [conv.kernel, conv.kernel, conv.inChannels, conv.outChannels],
      role: 'conv-weight',
      init: {
        kind: 'xavier-uniform',
        limit: xavierLimit(area * conv.inChannels, area * conv.outChannels),
      },
    });
    params.push({
      name: `${bn.name}.gamma`,
      shape: [bn.channels],
      role: 'bn-gamma',
      init: { kind: 'constant', value: bn.zeroGamma ? 0 : 1 },
    });
    params.push({
      name: `${bn.name}.beta`,
      shape: [bn.channels],
      role: 'bn-beta',
      init: { kind: 'constant', value: 0 },
    });
  }
  const { inFeatures, outFeatures } = spec.fc;
  params.push({
    name: 'fc.weight',
    shape: [inFeatures, outFeatures],
    role: 'fc-weight',
    init: { kind: 'xavier-uniform', limit: xavierLimit(inFeatures, outFeatures) },
  });
  params.push({
    name: 'fc.bias',
    shape: [outFeatures],
    role: 'fc-bias',
    init: { kind: 'constant', value: 0 },
  });
  return params;
}
