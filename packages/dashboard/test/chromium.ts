import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Real headless Chromium (Debian's `chromium` package) for the end-to-end suites; skipped with a message without it. */
export const CHROMIUM = process.env.PARAPET_CHROMIUM ?? "/usr/bin/chromium";
// Without the background-networking flags Chromium dials out at start, which this closed network refuses.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const skipWithoutChromium = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set PARAPET_CHROMIUM)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
}
