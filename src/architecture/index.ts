export * from './resnet-spec';
export * from './parameters';
export * from './summary';
