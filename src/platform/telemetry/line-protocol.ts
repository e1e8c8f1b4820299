/**
 * Prometheus samples as InfluxDB line protocol
 * (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/).
 *
 * The mapping keeps a sample's Prometheus name, so a chart reads the same in both worlds:
 * - one point per exposed sample; the measurement is the sample's name as /metrics prints it
 *   (`http_requests_total`, `http_request_duration_seconds_bucket`, `..._sum`, `..._count`);
 * - each label is a tag (`le` and `quantile` included), tags sorted by key as InfluxDB prefers;
 *   a label with an empty value is absent, as in Prometheus;
 * - the one field is `value`, always a float, so a measurement never changes field type;
 * - `extraTags` (e.g. `service`) are added where the sample has no label of that name.
 *
 * What line protocol cannot hold is not sent rather than corrupted: NaN and ±Inf values are
 * skipped (and counted). A newline in a label value becomes a space (line protocol has no escape
 * for it). Escaping follows the spec: `,` `=` and space in tag keys and values (`,` and space in
 * measurements) get a backslash; a backslash is doubled only where it would otherwise escape what
 * follows (before a special character, another backslash, or at the end), since a lone backslash
 * elsewhere is read literally by InfluxDB 1.x and 2.x alike. (Debian's InfluxDB 1.6 reads no
 * `\\` escape: there, a label value ending in a backslash is refused as a partial write.)
 */

/** One metric family as prom-client's `registry.getMetricsAsJSON()` gives it. */
export interface MetricFamily {
  readonly name: string;
  readonly values: ReadonlyArray<{
    readonly value: number;
    readonly labels: Readonly<Record<string, string | number | undefined>>;
    /** Set for histogram and summary parts: `<name>_bucket`, `_sum`, `_count`. */
    readonly metricName?: string;
  }>;
}

export interface LineProtocolBatch {
  /** Newline-terminated lines, one per point. */
  readonly text: string;
  /** Points in `text`. */
  readonly points: number;
  /** Samples left out because their value was NaN or ±Inf. */
  readonly skipped: number;
}

const MEASUREMENT_SPECIAL = /[, ]/;
const TAG_SPECIAL = /[,= ]/;

/** Escapes `text` for a line-protocol position whose special characters match `special`. */
function escapeWith(raw: string, special: RegExp): string {
  const text = raw.replace(/[\r\n]/g, ' ');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      // A backslash that would escape what follows (or end the token) is itself escaped.
      const ambiguous = next === undefined || special.test(next) || next === '\\';
      out += ambiguous ? '\\\\' : '\\';
      continue;
    }
    out += special.test(c) ? `\\${c}` : c;
  }
  return out;
}

/** A measurement name, escaped (`,` and space). */
export function escapeMeasurement(name: string): string {
  return escapeWith(name, MEASUREMENT_SPECIAL);
}

/** A tag key or tag value, escaped (`,`, `=` and space). */
export function escapeTag(text: string): string {
  return escapeWith(text, TAG_SPECIAL);
}

/** A float field value; undefined for what line protocol cannot hold (NaN, ±Inf). */
export function formatFloat(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Integers are written with a decimal point, so 1.x never types the field as an integer.
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * Serialises metric families to line protocol, every point stamped `timestampMs` (write with
 * `precision=ms`). Pure: never throws for any value or label text.
 */
export function toLineProtocol(
  families: readonly MetricFamily[],
  timestampMs: number,
  extraTags: Readonly<Record<string, string>> = {},
): LineProtocolBatch {
  const stamp = String(Math.trunc(timestampMs));
  const lines: string[] = [];
  let skipped = 0;
  for (const family of families) {
    for (const sample of family.values) {
      const value = formatFloat(sample.value);
      if (value === undefined) {
        skipped++;
        continue;
      }
      const tags = new Map<string, string>();
      for (const [key, raw] of Object.entries(extraTags)) if (raw !== '') tags.set(key, raw);
      for (const [key, raw] of Object.entries(sample.labels)) {
        if (raw === undefined || key === '') continue;
        const text = String(raw);
        if (text === '') tags.delete(key);
        else tags.set(key, text);
      }
      let line = escapeMeasurement(sample.metricName ?? family.name);
      for (const key of [...tags.keys()].sort()) {
        line += `,${escapeTag(key)}=${escapeTag(tags.get(key) as string)}`;
      }
      lines.push(`${line} value=${value} ${stamp}\n`);
    }
  }
  return { text: lines.join(''), points: lines.length, skipped };
}
