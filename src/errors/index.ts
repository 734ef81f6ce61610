export * from './queue-error';
export * from './misuse-errors';
export * from './job-signals';
export * from './infrastructure-errors';
