export * from './queue-config';
export * from './config-aliases';
export * from './durations';
export * from './environment';
export * from './default-config';
