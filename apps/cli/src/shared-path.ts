import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Same rule as libs/testing's sharedPath (apps may not depend on the testing lib): third-party data lives
// in ../shared beside the checkout, MODELSERVING_SHARED overrides it. From src/ and dist/ alike the
// checkout root is three levels up.

export function sharedDir(): string {
  return process.env['MODELSERVING_SHARED'] ?? resolve(__dirname, '../../../../shared');
}

export function sharedPath(...parts: string[]): string {
  return join(sharedDir(), ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/** Root of this checkout (apps/cli/{src,dist} → ../../..). */
export function repoRoot(): string {
  return process.env['MODELSERVING_ROOT'] ?? resolve(__dirname, '../../..');
}
