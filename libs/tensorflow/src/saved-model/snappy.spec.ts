import { describe, expect, it } from 'vitest';
import { snappyDecompress } from './snappy';

describe('snappy', () => {
  it('decodes literals and overlapping copies (hand-encoded block)', () => {
    // length 12; literal "abcd"; copy-1 of 8 bytes from offset 4 (overlaps its own output)
    const block = Uint8Array.from([12, 3 << 2, 97, 98, 99, 100, ((8 - 4) << 2) | 1, 4]);
    expect(new TextDecoder().decode(snappyDecompress(block, 't'))).toBe('abcdabcdabcd');
  });

  it('rejects a copy before the start of the output', () => {
    expect(() => snappyDecompress(Uint8Array.from([4, (0 << 2) | 1, 9]), 'variables.index')).toThrow(
      /corrupt snappy block/,
    );
  });
});
