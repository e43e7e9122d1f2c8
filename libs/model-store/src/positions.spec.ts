import { describe, expect, it } from 'vitest';
import { ServingError } from '@modelserving/model-core';
import { comparePositions, nextPosition, positionTimeMs, validatePosition } from './positions';
import { Code } from './test-support/fixtures';

describe('positions', () => {
  it('orders by milliseconds, then sequence, numerically rather than lexically', () => {
    const sorted = [
      '',
      '9-0',
      '10-0',
      '10-2',
      '10-10',
      '100-0',
      '1700000000000-18446744073709551615',
      '1700000000001-0',
    ];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(comparePositions)).toEqual(sorted);
    expect(comparePositions('5-1', '5-1')).toBe(0);
    expect(comparePositions('18446744073709551615-1', '18446744073709551615-0')).toBeGreaterThan(0);
  });

  it('mints Redis-style ids that never go backwards, even when the clock does', () => {
    expect(nextPosition('', 1000)).toBe('1000-0');
    expect(nextPosition('1000-0', 1001)).toBe('1001-0');
    expect(nextPosition('1000-0', 1000)).toBe('1000-1');
    expect(nextPosition('1000-7', 400)).toBe('1000-8');
    expect(nextPosition('1000-18446744073709551615', 1000)).toBe('1000-18446744073709551616');
    expect(positionTimeMs('1234-5')).toBe(1234);
  });

  it('rejects malformed positions with INVALID_ARGUMENT', () => {
    for (const bad of ['abc', '1-', '-1', '01-0', '1-2-3', ' 1-0']) {
      expect(() => validatePosition('p', bad), bad).toThrow(ServingError);
      expect(() => comparePositions(bad, '1-0')).toThrowError(
        expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
      );
    }
    expect(validatePosition('p', '')).toBe('');
  });
});
