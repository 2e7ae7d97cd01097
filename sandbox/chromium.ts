/**
 * Debian's chromium as the browser tests and the benchmark launch it through playwright-core (which cannot
 * download a browser here). The machine has no network: nothing may try to reach one in the background.
 */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
