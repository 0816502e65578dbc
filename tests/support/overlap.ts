/**
 * The most clients that were greeted and not yet closed at one moment, from the clients' side:
 * each one's interval lies inside its server-side slot, so this never exceeds the server's count.
 */
export const mostAtOnce = (intervals: ReadonlyArray<{ readonly greetedAt: number; readonly closedAt: number }>): number =>
  Math.max(...intervals.map((a) => intervals.filter((b) => b.greetedAt <= a.greetedAt && a.greetedAt < b.closedAt).length))
