import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTextReport } from './report-text.js';
import { fakeResult } from './testing/result.js';

const times = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

test('the text report: summary, histogram bars, percentiles, status and error counts, rate and drops', () => {
  // 105 requests: 80 at 10 ms and 10 at 100 ms (200), 10 at 50 ms (500), then 5 timeouts at 1 s.
  const result = fakeResult([
    {
      latenciesMs: [...times(80, 10), ...times(10, 50), ...times(10, 100)],
      codes: [...times(80, '200'), ...times(10, '500'), ...times(10, '200')],
      dropped: 3,
      late: 7,
      target: 100,
    },
    { latenciesMs: times(5, 1000), codes: times(5, 'timeout'), errors: true, target: 100 },
  ]);
  const text = renderTextReport(result);
  const lines = text.split('\n');
  const after = (title: string, n: number) =>
    lines.slice(lines.indexOf(title) + 1, lines.indexOf(title) + 1 + n);

  for (const line of [
    'Summary:',
    '  Target:\thttp://127.0.0.1:8080/orders',
    '  Model:\topen, rate constant:100',
    '  Total:\t2.00s',
    '  Slowest:\t1.00s',
    '  Fastest:\t10.0ms',
    '  Requests/sec:\t52.5 (target 100.0)',
    '  Requests:\t108 scheduled = 105 started + 3 dropped',
    '  Outcomes:\t105 started = 90 ok + 15 failed + 0 unfinished',
    '  Late:\t7 (sent 10 ms or more after their intended start)',
    '  Errors:\t15 (14.29% of 105 completed; ok is 2xx)',
  ])
    assert.ok(lines.includes(line), `missing ${JSON.stringify(line)} in\n${text}`);
  assert.match(text, /\n {2}Average:\t69\.\dms\n/);

  // hey's histogram: 11 marks from the fastest to the slowest, bars scaled to the fullest bucket.
  const histogram = after('Response time histogram (from intended start):', 11);
  const bucket = (line: string) => /^ {2}(\S+) +\[(\d+)\]\t\|(■*)$/.exec(line);
  const parsed = histogram.map((l) => {
    const m = bucket(l);
    assert.ok(m, `histogram line ${JSON.stringify(l)}`);
    return { mark: m[1], count: Number(m[2]), bar: (m[3] as string).length };
  });
  assert.deepEqual(
    parsed.map((b) => [b.count, b.bar]),
    [
      [90, 40],
      [10, 4],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [5, 2],
    ],
  );
  assert.equal(parsed[0]?.mark, '10.0ms');
  assert.equal(parsed[10]?.mark, '1.00s');

  // Latency distribution, from intended start and as service time, at hey's percentiles.
  const dist = after('Latency distribution:\tintended start\tservice time', 8);
  const expected: [string, string][] = [
    ['10%', '10.0ms'],
    ['25%', '10.0ms'],
    ['50%', '10.0ms'],
    ['75%', '10.0ms'],
    ['90%', '100ms'],
    ['95%', '100ms'],
    ['99%', '1.00s'],
    ['99.9%', '1.00s'],
  ];
  assert.deepEqual(
    dist.map((l) => l.split('\t').map((c) => c.trim())),
    expected.map(([p, v]) => [p, v, v]),
  );

  assert.deepEqual(after('Status code distribution:', 2), ['  [200]\t90 responses', '  [500]\t10 responses']);
  assert.deepEqual(after('Error distribution:', 1), ['  [timeout]\t5 errors']);
  assert.match(text, /free of coordinated omission/);
});

test('the text report of a closed-model run has no target rate, and says when it was interrupted', () => {
  const result = fakeResult([{ latenciesMs: times(10, 5) }], { model: 'closed', vus: 4, rate: undefined });
  result.interrupted = true;
  const text = renderTextReport(result);
  assert.match(text, /\nSummary: \(interrupted: the report covers the run so far\)\n/);
  assert.match(text, /\n {2}Model:\tclosed, 4 virtual users\n/);
  assert.match(text, /\n {2}Requests\/sec:\t10\.0\n/);
  assert.doesNotMatch(text, /Error distribution/);
});
