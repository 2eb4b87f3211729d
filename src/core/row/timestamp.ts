/**
 * ISO-8601 UTC with microseconds, the format the original script writes
 * (pandas `date_format="%Y-%m-%dT%H:%M:%S.%fZ"`), e.g. `2024-08-08T23:54:15.021156Z`.
 * Sub-microsecond fractions are truncated, as pandas does for `%f`.
 */
export function formatTimestampMicros(epochMs: number): string {
  const micros = Math.floor(epochMs * 1000);
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2024-08-08T23:54:15.021Z
  const extra = micros - ms * 1000;
  return `${iso.slice(0, 23)}${String(extra).padStart(3, '0')}Z`;
}
