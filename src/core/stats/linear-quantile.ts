/**
 * Returns the `q`-quantile (q in [0, 1]) of the first `length` values of `sorted` (ascending, no NaN), or NaN
 * when `length` is 0, by numpy's default "linear" method (Hyndman & Fan 1996, definition 7): the value at
 * position q * (length - 1), interpolated between its neighbours the way numpy's `_lerp` does (from the
 * nearer end, so the result never leaves [low, high]).
 */
export function linearQuantileOfSorted(sorted: ArrayLike<number>, length: number, q: number): number {
  if (length === 0) return Number.NaN;
  const position = (length - 1) * q;
  if (position >= length - 1) return sorted[length - 1] as number;
  if (position <= 0) return sorted[0] as number;
  const below = Math.floor(position);
  return lerpLikeNumpy(sorted[below] as number, sorted[below + 1] as number, position - below);
}

/** Returns a + (b - a) * t computed as numpy.lib.function_base._lerp does (from b when t >= 0.5). */
export function lerpLikeNumpy(a: number, b: number, t: number): number {
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}
