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
