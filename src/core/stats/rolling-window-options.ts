import { ConfigError } from '../../errors.js';

/** Options shared by the fixed-size rolling statistics (pandas `rolling(window, min_periods)`). */
export interface RollingWindowOptions {
  /** Rows in the window, NaN rows included (pandas `window`); an integer >= 1. */
  readonly window: number;
  /**
   * Non-NaN observations in the window needed for a value (pandas `min_periods`); 0..window.
   * @default window
   */
  readonly minPeriods?: number;
}

/** Returns the validated window and minPeriods; throws ConfigError naming `what` when they are unusable. */
export function resolveRollingWindow(
  options: RollingWindowOptions,
  what: string,
): { readonly window: number; readonly minPeriods: number } {
  const { window } = options;
  if (!Number.isInteger(window) || window < 1) {
    throw new ConfigError(`${what} window=${window}: must be an integer >= 1`, 'window');
  }
  const minPeriods = options.minPeriods ?? window;
  // pandas raises the same way: "min_periods N must be <= window W".
  if (!Number.isInteger(minPeriods) || minPeriods < 0 || minPeriods > window) {
    throw new ConfigError(
      `${what} minPeriods=${minPeriods}: must be an integer in 0..window (window=${window})`,
      'minPeriods',
    );
  }
  return { window, minPeriods };
}
