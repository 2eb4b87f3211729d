/**
 * One CSV line, RFC 4180: fields separated by commas; a field holding a comma, a double quote, CR or LF is
 * enclosed in double quotes with inner quotes doubled (§2.6, §2.7). Lines end with LF (what pandas and
 * most tools write; RFC 4180's CRLF is accepted on input).
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** Returns `field` as a CSV cell, quoted only when RFC 4180 requires it. */
export function formatCsvField(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * Returns the fields of one CSV line (no line terminator), or null when its quoting is broken
 * (an unclosed quote, or text right after a closing quote). Quoted fields spanning lines are not supported:
 * the readers that use this read one record per line.
 */
export function parseCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close === -1) return null;
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return null;
      i += 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return null;
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}
