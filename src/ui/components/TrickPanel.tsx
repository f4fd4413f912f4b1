import type { ReactNode } from 'react';
import {
  PARAM_KEYS,
  paramSpec,
  type ExperimentConfig,
  type ParamGroup,
  type ParamKey,
} from '../../config';
import { controlId, ParamControl } from './ParamControl';
import type { BackendInfo } from '../../run/events';
import { Fp16Note, ResNetBNote, SmoothingNote } from './TrickNotes';
import { TeacherSelect, type TeacherOption } from './TeacherSelect';
import { TrickExplainer } from './TrickExplainer';
import { RACEABLE_TRICKS } from '../../experiments/race';

const raceable = (key: ParamKey): key is (typeof RACEABLE_TRICKS)[number] =>
  (RACEABLE_TRICKS as readonly ParamKey[]).includes(key);

export const GROUPS: { id: ParamGroup; title: string; intro?: string }[] = [
  { id: 'model', title: 'Model' },
  { id: 'data', title: 'Data' },
  { id: 'optimization', title: 'Optimization', intro: 'Nesterov SGD, momentum 0.9 (paper §2.1).' },
  {
    id: 'efficient',
    title: '§3 Efficient training',
    intro: 'Large-batch training (paper §3.1) and low-precision training (§3.2).',
  },
  { id: 'tweaks', title: '§4 Model tweaks', intro: 'ResNet-B, -C and -D of paper §4.2, Fig. 2.' },
  { id: 'refinements', title: '§5 Training refinements', intro: 'Paper §5.1–5.4.' },
  {
    id: 'transfer',
    title: '§6 Transfer learning',
    intro: 'Start from a trained backbone (paper §6): fine-tune it, or probe it linearly.',
  },
];

export interface TrickPanelProps {
  config: ExperimentConfig;
  setParam: (key: ParamKey, value: ExperimentConfig[ParamKey]) => void;
  /** While a run is active its config is locked. */
  locked: boolean;
  teachers: TeacherOption[];
  /** Rendered at the end of a group (the architecture summary under Model). */
  extras?: Partial<Record<ParamGroup, ReactNode>>;
  /** The training backend, for the FP16 note (null while it starts). */
  backend?: BackendInfo | null;
  /** "Race with / without" a trick; absent: no race buttons. */
  onRace?: (key: (typeof RACEABLE_TRICKS)[number]) => void;
  /** Races can start now (no run active, the data ready). */
  canRace?: boolean;
}

/** Every parameter of the PARAMS table as a labeled control, grouped as in the paper. */
export function TrickPanel({
  config,
  setParam,
  locked,
  teachers,
  extras,
  backend = null,
  onRace,
  canRace = false,
}: TrickPanelProps) {
  const raceButton = (key: ParamKey): ReactNode =>
    onRace && raceable(key) ? (
      <button
        type="button"
        className="race-trick"
        aria-label={`Race with / without ${paramSpec(key).label}`}
        disabled={!canRace || (key === 'distill' && config.distill === '')}
        title={
          key === 'distill' && config.distill === ''
            ? 'Choose a teacher first'
            : 'Train with and without this trick at once, live, side by side'
        }
        onClick={() => onRace(key)}
      >
        Race with / without
      </button>
    ) : null;
  const noteFor = (key: ParamKey): ReactNode => {
    if (key === 'tweak_b') return <ResNetBNote model={config.model} />;
    if (key === 'label_smoothing') return <SmoothingNote config={config} />;
    if (key === 'fp16') return <Fp16Note backend={backend} config={config} />;
    return null;
  };
  return (
    <form
      className="trick-panel"
      aria-label="Experiment settings"
      onSubmit={(e) => e.preventDefault()}
    >
      {locked && (
        <p className="locked-note" role="note">
          Settings are locked while a run is active. Stop it to change them.
        </p>
      )}
      {GROUPS.map((group) => (
        <fieldset key={group.id} className={`group group-${group.id}`} disabled={locked}>
          <legend>{group.title}</legend>
          {group.intro && <p className="group-intro">{group.intro}</p>}
          {PARAM_KEYS.filter((key) => paramSpec(key).group === group.id).map((key) => (
            <ParamControl
              key={key}
              paramKey={key}
              value={config[key]}
              onChange={setParam}
              note={
                <>
                  {raceButton(key)}
                  {noteFor(key)}
                  <TrickExplainer paramKey={key} />
                </>
              }
            >
              {key === 'distill' || key === 'backbone' ? (
                <TeacherSelect
                  id={controlId(key)}
                  value={config[key]}
                  teachers={teachers}
                  onChange={(v) => setParam(key, v)}
                  offLabel={key === 'backbone' ? 'None: train from scratch' : 'Off'}
                />
              ) : undefined}
            </ParamControl>
          ))}
          {extras?.[group.id]}
        </fieldset>
      ))}
    </form>
  );
}
