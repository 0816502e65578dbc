/** Two resolved setting values are the same: settings are plain data (numbers, strings, arrays, IP ranges). */
export const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
