export * from './catalog';
export * from './plan';
export * from './sizing';
export * from './outcome';
export * from './measured';
