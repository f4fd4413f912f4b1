export * from './resnet-spec';
export * from './parameters';
export * from './summary';
export * from './memory';
