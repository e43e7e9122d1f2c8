import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Third-party data lives in ../shared beside the checkout and is never committed. Tests that need it
 * skip with a clear message when it is absent. MODELSERVING_SHARED overrides the location.
 */
export function sharedDir(): string {
  return process.env['MODELSERVING_SHARED'] ?? resolve(__dirname, '../../../../shared');
}

export function sharedPath(...parts: string[]): string {
  return join(sharedDir(), ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}
