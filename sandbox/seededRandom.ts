/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence of draws, so a chaos
 * scenario's faults can be replayed. Not for anything that needs unpredictability.
 */
export type Random = () => number;

/** Uniform draws in [0, 1) from a 32-bit seed (only the low 32 bits of an integer seed are used). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
