import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../cli/main.js';
import { envName, readConfig } from '../../config/mod.js';
import { otlpTarget, TRACING_GROUP } from './tracing-config.js';

/** Runs the CLI in-process with `env` as its whole environment; resolves with the exit code and stderr. */
async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; err: string }> {
  let err = '';
  const errStream = new PassThrough().on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await main(['node', 'peaklab', ...argv], {
    env,
    out: new PassThrough().resume(),
    err: errStream,
  });
  return { code, err };
}

test('OTEL_EXPORTER_OTLP_PROTOCOL: grpc and unknown encodings exit 2 with one line naming the variable', async () => {
  for (const value of ['grpc', 'http/xml']) {
    const r = await run(['serve', 'orders'], {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: value,
    });
    assert.equal(r.code, 2, `${JSON.stringify(value)}: ${r.err}`);
    assert.match(
      r.err,
      /^peaklab: .*OTEL_EXPORTER_OTLP_PROTOCOL.*http\/protobuf.*\(PL_CONFIG_INVALID\)\n$/,
      r.err,
    );
  }
});

test('bad tracing variables are all named in the one line: sampler, its argument, the endpoint', async () => {
  const r = await run(['serve', 'sale'], {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_TRACES_SAMPLER: 'sometimes',
    OTEL_TRACES_SAMPLER_ARG: '1.5',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'gopher://collector:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  });
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.split('\n').filter(Boolean).length, 1, `one line: ${r.err}`);
  for (const name of [
    'OTEL_TRACES_SAMPLER',
    'OTEL_TRACES_SAMPLER_ARG',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
  ]) {
    assert.match(r.err, new RegExp(`${name}\\b`), `${name} is named: ${r.err}`);
  }
});

test('an empty OTEL_* variable counts as unset (the OpenTelemetry environment spec), not as a bad value', () => {
  const names = Object.keys(TRACING_GROUP).map(envName);
  assert.ok(names.includes('OTEL_EXPORTER_OTLP_PROTOCOL'), names.join(' '));
  const blank = Object.fromEntries(names.map((n) => [n, n.endsWith('SAMPLER_ARG') ? '  ' : '']));
  assert.deepEqual(readConfig(TRACING_GROUP, {}, blank), readConfig(TRACING_GROUP, {}, {}));
  // Set next to blanks, a value still counts; a blank does not hide a bad neighbour.
  const cfg = readConfig(TRACING_GROUP, {}, { ...blank, OTEL_TRACES_EXPORTER: 'otlp' });
  assert.equal(cfg.otelTracesExporter, 'otlp');
  assert.equal(cfg.otelExporterOtlpProtocol, 'http/protobuf');
  assert.throws(
    () => readConfig(TRACING_GROUP, {}, { ...blank, OTEL_TRACES_SAMPLER: 'sometimes' }),
    /OTEL_TRACES_SAMPLER/,
  );
});

test('OTLP target: the traces-specific variables win, the traces endpoint is used as is, the base gets /v1/traces', () => {
  const target = (env: Record<string, string>) => otlpTarget(readConfig(TRACING_GROUP, {}, env));
  assert.deepEqual(target({}), { url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf' });
  assert.deepEqual(
    target({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    {
      url: 'http://c:4318/v1/traces',
      protocol: 'http/json',
    },
  );
  assert.deepEqual(
    target({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t:443/custom/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    }),
    { url: 'https://t:443/custom/traces', protocol: 'http/protobuf' },
  );
  assert.throws(
    () => target({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }),
    /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/,
  );
  assert.throws(
    () => target({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://t/x' }),
    /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/,
  );
});
