import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { needTool } from './tools.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for Debian's Chromium as root on a machine with no outside network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Like needService: skip outside CI when Chromium is missing, fail in CI. */
export function needChromium(): { skip: string | false } {
  return needTool(CHROMIUM_PATH, 'apt-get install chromium');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** One drawn series, as the report's client script counted it: raw values, before any stacking. */
export interface DrawnSeries {
  label: string;
  /** Non-null values. */
  points: number;
  sum: number;
  max: number | null;
}

/** What the page's `window.__PEAKLAB_CHARTS__` says about one chart it drew. */
export interface DrawnChart {
  id: string;
  title: string;
  points: number;
  series: DrawnSeries[];
  error?: string;
}

/** Opens a report from file:// and waits until its client script has drawn every chart. */
export async function openDrawnReport(page: Page, file: string): Promise<DrawnChart[]> {
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() =>
    Array.isArray((globalThis as { __PEAKLAB_CHARTS__?: unknown }).__PEAKLAB_CHARTS__),
  );
  return page.evaluate(
    () => (globalThis as unknown as { __PEAKLAB_CHARTS__: DrawnChart[] }).__PEAKLAB_CHARTS__,
  );
}
