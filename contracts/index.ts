export * from './queues';
export * from './jobs';
export * from './statuses';
export * from './errors';
export * from './document-types';
export * from './http';
export * from './search';
export * from './document-body';
