/**
 * The engine's pseudorandom generator: xoshiro128** seeded through splitmix32, two 32-bit outputs per
 * double (53 random bits). Deterministic for a given seed; without a seed, seeded from Math.random.
 */
export function makeRandom(seed?: number): () => number {
  let s = seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Math.floor(seed) % 2 ** 32;
  const splitmix = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  const next32 = () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
