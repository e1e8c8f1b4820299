import {
  type ConfigOf,
  type ConfigRule,
  duration,
  type Field,
  flagName,
  optionalUrl,
} from '../../config/mod.js';

/**
 * INFLUX: push the service's metrics registry to InfluxDB in line protocol (see
 * telemetry/influx-push.ts). Off unless `--influx-url` is set. InfluxDB 1.x takes
 * `--influx-db`; 2.x takes `--influx-bucket`, `--influx-org` and `--influx-token`.
 */

/** A database, bucket or organisation name: printable, no control characters, 1-255 characters. */
function influxName(description: string, what: string): Field<string | undefined> {
  return {
    description,
    default: undefined,
    placeholder: '<name>',
    parse(raw) {
      if (raw === '') return undefined;
      // Names travel in a URL query (encoded), but a control character or outer space is a typo.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      if (raw.length > 255 || /[\u0000-\u001f\u007f]/.test(raw) || raw.trim() !== raw) {
        throw new Error(`is not ${what} (1-255 printable characters, no outer spaces)`);
      }
      return raw;
    },
  };
}

/** An API token: visible ASCII only, so it cannot break the Authorization header. Never echoed. */
const tokenField: Field<string | undefined> = {
  description: 'InfluxDB 2.x API token (sent as "Authorization: Token ..."; never logged)',
  default: undefined,
  placeholder: '<token>',
  parse(raw) {
    if (raw === '') return undefined;
    if (!/^[\x21-\x7e]{1,4096}$/.test(raw)) {
      throw new Error('is not a token (1-4096 visible ASCII characters; the value is not shown)');
    }
    return raw;
  },
};

export const INFLUX_GROUP = {
  influxUrl: optionalUrl(
    'push metrics to InfluxDB at this URL (line protocol); unset = no push',
    ['http', 'https'],
    'http://127.0.0.1:8086',
  ),
  influxDb: influxName('InfluxDB 1.x database to write to', 'a database name'),
  influxBucket: influxName('InfluxDB 2.x bucket to write to (with --influx-org)', 'a bucket name'),
  influxOrg: influxName('InfluxDB 2.x organisation of the bucket', 'an organisation name'),
  influxToken: tokenField,
  influxInterval: duration('how often metrics are pushed to InfluxDB', 10_000, {
    min: 100,
    max: 3_600_000,
  }),
};

export type InfluxConfig = ConfigOf<typeof INFLUX_GROUP>;

/** Rules across the INFLUX fields: a complete 1.x or 2.x destination, or none at all. */
export const INFLUX_RULES: ReadonlyArray<ConfigRule<InfluxConfig>> = [
  (c) => {
    const set = (['influxDb', 'influxBucket', 'influxOrg', 'influxToken'] as const).filter(
      (k) => c[k] !== undefined,
    );
    if (c.influxUrl === undefined) {
      return set.length > 0
        ? `${set.map((k) => `--${flagName(k)}`).join(', ')} needs --influx-url`
        : undefined;
    }
    if (c.influxDb !== undefined && c.influxBucket !== undefined) {
      return '--influx-db (InfluxDB 1.x) and --influx-bucket (2.x) exclude each other';
    }
    if (c.influxDb === undefined && c.influxBucket === undefined) {
      return '--influx-url needs --influx-db (InfluxDB 1.x) or --influx-bucket with --influx-org and --influx-token (2.x)';
    }
    if (c.influxBucket !== undefined && (c.influxOrg === undefined || c.influxToken === undefined)) {
      return '--influx-bucket (InfluxDB 2.x) needs --influx-org and --influx-token';
    }
    if (c.influxDb !== undefined && c.influxOrg !== undefined) {
      return '--influx-org belongs to InfluxDB 2.x (--influx-bucket), not to --influx-db';
    }
    return undefined;
  },
];

/** Where and how a push goes, from the INFLUX fields; undefined when pushing is off. */
export interface InfluxTarget {
  /**
   * The full write URL, query included (`/write?db=..` or `/api/v2/write?org=..&bucket=..`);
   * it holds no credentials, so it may be logged.
   */
  readonly writeUrl: string;
  /** Authorization header value, if any (Token, or Basic from the URL's user:password). */
  readonly authorization?: string;
  readonly intervalMs: number;
}

/**
 * The push destination the INFLUX fields describe (already checked by INFLUX_RULES), or undefined
 * when `--influx-url` is unset. A 1.x URL's `user:password@` becomes a Basic Authorization header;
 * `--influx-token` becomes `Token <token>` (2.x, and 1.8's compatibility API).
 */
export function influxTarget(cfg: InfluxConfig): InfluxTarget | undefined {
  if (cfg.influxUrl === undefined) return undefined;
  const base = new URL(cfg.influxUrl);
  let authorization: string | undefined;
  if (base.username !== '' || base.password !== '') {
    const user = decodeURIComponent(base.username);
    const pass = decodeURIComponent(base.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  if (cfg.influxToken !== undefined) authorization = `Token ${cfg.influxToken}`;
  const prefix = base.pathname.replace(/\/+$/, '');
  const query = new URLSearchParams({ precision: 'ms' });
  if (cfg.influxBucket !== undefined) {
    base.pathname = `${prefix}/api/v2/write`;
    query.set('org', cfg.influxOrg ?? '');
    query.set('bucket', cfg.influxBucket);
  } else {
    base.pathname = `${prefix}/write`;
    query.set('db', cfg.influxDb ?? '');
  }
  base.search = query.toString();
  base.hash = '';
  return {
    writeUrl: base.href,
    ...(authorization === undefined ? {} : { authorization }),
    intervalMs: cfg.influxInterval,
  };
}
