/**
 * ISO-8601 UTC with microseconds, the format the original script writes
 * (pandas `date_format="%Y-%m-%dT%H:%M:%S.%fZ"`), e.g. `2024-08-08T23:54:15.021156Z`.
 * Times are rounded to the nearest microsecond: a local clock's microseconds arrive as a binary fraction of a
 * millisecond (…046.537 ms is stored as 46.53699…), which truncation would turn into the microsecond before.
 */
export function formatTimestampMicros(epochMs: number): string {
  const micros = Math.round(epochMs * 1000);
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2024-08-08T23:54:15.021Z
  const extra = micros - ms * 1000;
  return `${iso.slice(0, 23)}${String(extra).padStart(3, '0')}Z`;
}
