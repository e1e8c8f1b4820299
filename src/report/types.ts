/** The shapes of a self-contained HTML report: sections of prose, tables and time-series charts. */

export interface ChartSeries {
  label: string;
  /** One value per x; null leaves a gap. */
  values: ReadonlyArray<number | null>;
  color?: string;
  kind?: 'line' | 'bars';
  /** A dashed line: for limits and targets drawn over data. */
  dash?: boolean;
}

export interface Chart {
  /** Unique within the page; tests find charts by it. */
  id: string;
  title: string;
  /** Seconds since the start of the run. */
  x: ReadonlyArray<number>;
  xLabel?: string;
  yLabel?: string;
  /** Stack the series (areas), as Grafana's "stacked" graphs do. Dashed series are never stacked. */
  stacked?: boolean;
  /** Fix the axes, so that charts placed side by side compare at a glance. */
  xRange?: readonly [number, number];
  yMax?: number;
  series: ReadonlyArray<ChartSeries>;
}

export interface Section {
  title: string;
  /** Trusted HTML: build it with escapeHtml / renderTable. */
  html?: string;
  charts?: ReadonlyArray<Chart>;
  /** Charts per row (default 1). */
  columns?: 1 | 2;
}

export interface ReportDoc {
  title: string;
  subtitle?: string;
  sections: ReadonlyArray<Section>;
}
