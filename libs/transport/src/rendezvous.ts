import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest-random-weight) hashing: every process that knows the same member list picks the
 * same owners for a key, and when a member leaves only its keys move (to their next owner).
 */
export function rendezvousOwners(key: string, members: readonly string[], replicas = 1): string[] {
  if (members.length === 0) return [];
  const scored = members.map((m) => ({ m, w: weight(key, m) }));
  scored.sort((a, b) => (a.w === b.w ? (a.m < b.m ? -1 : 1) : b.w - a.w));
  return scored.slice(0, Math.max(1, Math.min(replicas, members.length))).map((s) => s.m);
}

function weight(key: string, member: string): number {
  // 48 bits of SHA-1 are plenty for ranking and stay exact in a double.
  const h = createHash('sha1').update(member).update('\0').update(key).digest();
  return h.readUIntBE(0, 6);
}
