import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../cli/main.js';
import { readConfig } from '../../config/mod.js';
import { SERVE_RULES, SERVE_SPEC } from '../../services/orders/config.js';
import { isPeaklabError } from '../../shared/errors.js';
import { influxTarget } from './influx.js';

const URL1 = { influxUrl: 'http://127.0.0.1:8086' };

function problem(flags: Record<string, string>): string {
  try {
    readConfig(SERVE_SPEC, flags, {}, SERVE_RULES);
  } catch (err) {
    assert.ok(isPeaklabError(err, 'PL_CONFIG_INVALID'), String(err));
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err.message;
  }
  return 'accepted';
}

test('INFLUX: malformed and hostile values are refused, each with a clear reason', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ influxUrl: 'ftp://h:1', influxDb: 'x' }, /--influx-url: .*must start with http:\/\/ or https:\/\//],
    [{ influxUrl: 'not a url', influxDb: 'x' }, /is not a URL/],
    [{ influxUrl: 'http://u:s3cret@:8086', influxDb: 'x' }, /--influx-url/],
    [{ ...URL1, influxDb: 'a\nb' }, /--influx-db: is not a database name/],
    [{ ...URL1, influxDb: ' padded' }, /--influx-db/],
    [{ ...URL1, influxDb: 'x'.repeat(256) }, /--influx-db/],
    [{ ...URL1, influxBucket: 'b', influxOrg: 'o', influxToken: 'tok en' }, /--influx-token: is not a token/],
    [{ ...URL1, influxDb: 'x', influxInterval: '0s' }, /--influx-interval: must be at least 100/],
    [{ ...URL1, influxDb: 'x', influxInterval: '10' }, /--influx-interval: .*not a duration/],
    [{ ...URL1, influxDb: 'x', influxInterval: '2h' }, /--influx-interval: must be at most/],
    [{ influxDb: 'x' }, /--influx-db needs --influx-url/],
    [{ influxToken: 't', influxBucket: 'b' }, /--influx-bucket, --influx-token needs --influx-url/],
    [URL1, /--influx-url needs --influx-db .* or --influx-bucket/],
    [{ ...URL1, influxDb: 'x', influxBucket: 'b' }, /exclude each other/],
    [
      { ...URL1, influxBucket: 'b', influxOrg: 'o' },
      /--influx-bucket .* needs --influx-org and --influx-token/,
    ],
    [{ ...URL1, influxDb: 'x', influxOrg: 'o' }, /--influx-org belongs to InfluxDB 2.x/],
  ];
  for (const [flags, want] of cases) assert.match(problem(flags), want, JSON.stringify(flags));
  // A token is never echoed, even when refused; a URL's password neither.
  assert.doesNotMatch(
    problem({ ...URL1, influxBucket: 'b', influxOrg: 'o', influxToken: 'SECRET\u0001' }),
    /SECRET/,
  );
  assert.doesNotMatch(problem({ influxUrl: 'ftp://u:hunter2@h', influxDb: 'x' }), /hunter2/);
});

test('INFLUX: 1.x and 2.x destinations become the right write URL and credentials', () => {
  const v1 = readConfig(
    SERVE_SPEC,
    { influxUrl: 'http://u:p%40ss@h:8086/', influxDb: 'my db&x=1' },
    {},
    SERVE_RULES,
  );
  assert.deepEqual(influxTarget(v1), {
    writeUrl: 'http://h:8086/write?precision=ms&db=my+db%26x%3D1',
    authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
    intervalMs: 10_000,
  });
  const v2 = readConfig(
    SERVE_SPEC,
    {
      influxUrl: 'https://cloud/x',
      influxBucket: 'b',
      influxOrg: 'o',
      influxToken: 't0k',
      influxInterval: '1s',
    },
    {},
    SERVE_RULES,
  );
  assert.deepEqual(influxTarget(v2), {
    writeUrl: 'https://cloud/x/api/v2/write?precision=ms&org=o&bucket=b',
    authorization: 'Token t0k',
    intervalMs: 1000,
  });
  assert.equal(influxTarget(readConfig(SERVE_SPEC, {}, {}, SERVE_RULES)), undefined, 'off by default');
});

test('peaklab serve orders|sale and worker orders: a bad INFLUX value exits 2 with one line', async () => {
  for (const argv of [
    ['serve', 'orders', '--influx-url', 'http://h:1'],
    ['serve', 'sale', '--influx-db', 'x'],
    [
      'worker',
      'orders',
      '--nats-url',
      'nats://h:1',
      '--influx-url',
      'http://h:1',
      '--influx-interval',
      'soon',
    ],
  ]) {
    let err = '';
    const errStream = new PassThrough().on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await main(['node', 'peaklab', ...argv], {
      env: {},
      out: new PassThrough().resume(),
      err: errStream,
    });
    assert.equal(code, 2, argv.join(' '));
    assert.match(err, /^peaklab: .*influx.* \(PL_CONFIG_INVALID\)\n$/, err);
  }
});
