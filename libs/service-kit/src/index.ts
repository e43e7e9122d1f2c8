export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { sleep } from './sleep';
