import { useCallback } from 'react';
import { PARAM_KEYS, type ExperimentConfig, type ParamKey } from '../../config';
import { applyPreset, type Preset } from '../../config/presets';
import type { RunsMessage } from '../components/RunsPanel';

/** Applying a preset sets each value it changes and says which values this scale adjusted. */
export function useApplyPreset(
  config: ExperimentConfig,
  setParam: (key: ParamKey, value: ExperimentConfig[ParamKey]) => void,
  say: (message: RunsMessage) => void,
): (preset: Preset) => void {
  return useCallback(
    (preset: Preset) => {
      const { config: next, ignored: reset } = applyPreset(config, preset);
      for (const key of PARAM_KEYS) if (next[key] !== config[key]) setParam(key, next[key]);
      say({
        text:
          `Preset ${preset.section} ${preset.title} applied.` +
          (reset.length > 0
            ? ` Adjusted for this scale: ${reset.map((r) => `${r.key} ${r.reason}`).join('; ')}.`
            : ''),
        error: false,
      });
    },
    [config, setParam, say],
  );
}
