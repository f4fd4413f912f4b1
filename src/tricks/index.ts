export * from './random';
export * from './lr-schedule';
export * from './label-smoothing';
export * from './mixup';
export * from './distillation';
export * from './nag';
export * from './preprocessing';
export * from './run-streams';
