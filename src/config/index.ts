export * from './params';
export * from './defaults';
export * from './consistency';
export * from './url-codec';
export * from './schema';
