/** mulberry32: a tiny 32-bit PRNG, the same numbers for the same seed on every machine. */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a, to mix a name into a seed */
export const hashText = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** Seeded choices: one seed, one sequence of them. */
export interface Dice {
  int(lo: number, hi: number): number
  chance(p: number): boolean
  pick<A>(items: ReadonlyArray<A>): A | undefined
  weighted<K extends string>(weights: ReadonlyArray<readonly [K, number]>): K
}

export const makeDice = (seed: number): Dice => {
  const next = mulberry32(seed)
  return {
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted: (weights) => {
      let roll = next() * weights.reduce((sum, [, w]) => sum + w, 0)
      for (const [kind, w] of weights) if ((roll -= w) < 0) return kind
      return weights[weights.length - 1]![0]
    }
  }
}
