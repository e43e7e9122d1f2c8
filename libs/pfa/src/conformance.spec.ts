import { readFileSync } from 'node:fs';
import { hasShared, sharedPath } from '@modelserving/testing';
import { describe, expect, it } from 'vitest';
import { runConformance } from './conformance';

/**
 * The PFA conformance trials in ../shared (third-party data, never committed). The floors are the pass
 * counts this engine reached; a regression below them fails, an improvement should raise them.
 */
const FILES = [
  { file: 'pfa-tests-re.json', floor: 723 },
  { file: 'baseline-functions.json', floor: 136 },
];
const available = hasShared('conformance', 'pfa');

// Each trial reports as skipped (not passed) when the third-party data is absent, so a run without
// ../shared never counts as a conformance pass.
const SKIP_NOTE = `../shared/conformance/pfa is absent under ${sharedPath()} (set MODELSERVING_SHARED)`;

describe('PFA conformance', () => {
  for (const { file, floor } of FILES) {
    it(`${file}: at least ${floor} trials pass`, (ctx) => {
      if (!available) ctx.skip(SKIP_NOTE);
      const report = runConformance(readFileSync(sharedPath('conformance', 'pfa', file), 'utf8'));
      console.log(`[pfa conformance] ${file}: ${report.passed}/${report.total} passed`);
      if (report.failed > 0) console.log(JSON.stringify(report.failures.slice(0, 8), null, 1));
      expect(report.passed).toBeGreaterThanOrEqual(floor);
    });
  }
});
