/** GET `${url}/metrics`: the Prometheus text a service serves. */
export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/**
 * One series' value from Prometheus text, e.g. metricValue(text, 'work_done_total{status="done"}');
 * NaN when the series is absent. The series must be written exactly as exported (label order too).
 */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return Number.NaN;
}

/**
 * The value of the series `name` whose labels include `labels` (in any order, others allowed);
 * NaN when there is none.
 */
export function seriesValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((pair) => have.includes(pair))) return Number(m[3]);
  }
  return Number.NaN;
}
