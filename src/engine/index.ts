export * from './backend';
export * from './model';
export * from './preprocess';
export * from './loss';
export * from './optimizer';
export * from './step';
export * from './evaluate';
export * from './trainer';
