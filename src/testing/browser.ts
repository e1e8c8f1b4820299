import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { TEST_ENV } from './env.js';

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
  if (existsSync(CHROMIUM_PATH)) return { skip: false };
  const why = `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  if (TEST_ENV.ci) throw new Error(`${why}, and CI requires it`);
  return { skip: `${why} (skipped outside CI)` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
