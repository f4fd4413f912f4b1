import { describe, expect, it } from 'vitest';
import { listParameters } from '../architecture/parameters';
import { allConvBns, buildResNetSpec, type ResNetOptions } from '../architecture/resnet-spec';
import { DEFAULT_CONFIG } from '../config/defaults';
import type { NamedWeight } from '../run/events';
import { timmArchitecture } from './model-json';
import { checkpointConfig, pickCheckpointFiles, readTimmCheckpoint } from './import';
import { encodeSafetensors } from './safetensors';
import { toTimmStateDict } from './state-dict';

const OPTIONS: ResNetOptions = {
  model: 'resnet26',
  width: 0.0625,
  input: 32,
  stem: 'small',
  tweakB: false,
  tweakC: false,
  tweakD: true,
  zeroGamma: false,
  classes: 10,
};

function weightsOf(options: ResNetOptions): NamedWeight[] {
  const spec = buildResNetSpec(options);
  const names = listParameters(spec).map((p) => ({ name: p.name, shape: p.shape }));
  for (const { bn } of allConvBns(spec)) {
    names.push({ name: `${bn.name}.running_mean`, shape: [bn.channels] });
    names.push({ name: `${bn.name}.running_var`, shape: [bn.channels] });
  }
  return names.map((n, i) => ({
    ...n,
    values: new Float32Array(n.shape.reduce((a, b) => a * b, 1)).fill(i),
  }));
}

function exported(options: ResNetOptions, query = 'model=resnet26&width=0.0625&tweak_d=1') {
  const modelJson = JSON.stringify({
    ...timmArchitecture(options),
    source: { app: 't', query, run: 'r1' },
  });
  const weights = encodeSafetensors(toTimmStateDict(options, weightsOf(options), 5));
  return { modelJson, weights };
}

describe('pickCheckpointFiles', () => {
  const file = (name: string, size = 10) => ({ name, size });

  it('finds model.json and model.safetensors in a folder, ignoring the sample and the script', () => {
    const files = [
      file('r1/sample.safetensors'),
      file('r1/load_timm.py'),
      file('r1/model.safetensors'),
      file('r1/model.json'),
    ];
    const picked = pickCheckpointFiles(files);
    expect(picked.modelJson.name).toBe('r1/model.json');
    expect(picked.weights.name).toBe('r1/model.safetensors');
    // A state dict saved under another name is taken too.
    expect(pickCheckpointFiles([file('model.json'), file('resnet.safetensors')]).weights.name).toBe(
      'resnet.safetensors',
    );
  });

  it('refuses missing files and files over the caps before reading them', () => {
    expect(() => pickCheckpointFiles([file('model.json'), file('sample.safetensors')])).toThrow(
      'A checkpoint needs model.json and model.safetensors; got model.json, sample.safetensors',
    );
    const limits = { maxFileBytes: 100, maxHeaderBytes: 10, maxTensors: 10 };
    expect(() =>
      pickCheckpointFiles([file('model.json'), file('model.safetensors', 101)], limits),
    ).toThrow('model.safetensors is 101 bytes, more than the 100 this page reads');
    expect(() =>
      pickCheckpointFiles([file('model.json', 2 ** 21), file('model.safetensors')]),
    ).toThrow('not a model.json');
  });
});

describe('readTimmCheckpoint', () => {
  it('reads back the options, our weights and the query', () => {
    const { modelJson, weights } = exported(OPTIONS);
    const checkpoint = readTimmCheckpoint(modelJson, weights);
    expect(checkpoint.options).toEqual({ ...OPTIONS });
    expect(checkpoint.query).toBe('model=resnet26&width=0.0625&tweak_d=1');
    const byName = new Map(checkpoint.weights.map((w) => [w.name, w]));
    expect(byName.get('stem.0.conv.weight')!.shape).toEqual([3, 3, 3, 4]);
    expect(checkpoint.weights).toHaveLength(weightsOf(OPTIONS).length);
  });

  it('refuses weights of another architecture, naming the first mismatch', () => {
    const wider = exported({ ...OPTIONS, width: 0.125 });
    const { modelJson } = exported(OPTIONS);
    expect(() => readTimmCheckpoint(modelJson, wider.weights)).toThrow(
      'conv1.weight has shape [8,3,3,3], expected [4,3,3,3]',
    );
    expect(() => readTimmCheckpoint('{', wider.weights)).toThrow(/model.json is not JSON/);
    expect(() => readTimmCheckpoint(modelJson, new Uint8Array(3))).toThrow(
      /Not a valid safetensors/,
    );
  });
});

describe('checkpointConfig', () => {
  it("takes the checkpoint's own query, with the architecture of model.json", () => {
    const checkpoint = readTimmCheckpoint(
      exported(OPTIONS, 'epochs=7&lr=0.2').modelJson,
      exported(OPTIONS).weights,
    );
    const config = checkpointConfig(DEFAULT_CONFIG, checkpoint);
    expect(config).toMatchObject({
      epochs: 7,
      lr: 0.2,
      model: 'resnet26',
      width: 0.0625,
      stem: 'small',
      tweak_b: false,
      tweak_d: true,
      autorun: false,
    });
  });

  it('falls back on the page settings without a query', () => {
    const { weights } = exported(OPTIONS);
    const modelJson = JSON.stringify(timmArchitecture(OPTIONS));
    const checkpoint = readTimmCheckpoint(modelJson, weights);
    expect(checkpoint.query).toBeNull();
    const base = { ...DEFAULT_CONFIG, epochs: 3 };
    expect(checkpointConfig(base, checkpoint)).toMatchObject({ epochs: 3, model: 'resnet26' });
  });
});
