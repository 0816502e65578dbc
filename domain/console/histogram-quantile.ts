/**
 * The q-quantile (0 < q < 1) of the samples in a histogram, estimated as Prometheus'
 * histogram_quantile does: the bucket holding the rank is found, and the value interpolated
 * linearly within it (the first bucket starts at 0). `cumulative[i]` counts the samples up to
 * `bounds[i]`; `count` is all samples, those over the last bound included, which are answered with
 * the last bound. Undefined without samples.
 */
export const histogramQuantile = (
  bounds: ReadonlyArray<number>,
  cumulative: ReadonlyArray<number>,
  count: number,
  q: number
): number | undefined => {
  if (count <= 0 || bounds.length === 0) return undefined
  const rank = q * count
  for (let i = 0; i < bounds.length; i++) {
    const upTo = cumulative[i] ?? 0
    if (upTo >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!
      const below = i === 0 ? 0 : cumulative[i - 1] ?? 0
      const inBucket = upTo - below
      return inBucket <= 0 ? bounds[i]! : lower + (bounds[i]! - lower) * ((rank - below) / inBucket)
    }
  }
  return bounds[bounds.length - 1]
}
