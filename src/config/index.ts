export * from './queue-config';
export * from './environment';
