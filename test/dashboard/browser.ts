/**
 * Debian's chromium, driven by playwright-core, as the dashboard's browser tests use it: a throwaway profile, no
 * network chatter, every dialog (a script that ran) and every request recorded; and the checks the tests share
 * (screenshots kept in test-artifacts/dashboard/, axe's serious and critical violations).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../../sandbox/chromium';

export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'dashboard');

export interface TestBrowser {
  context: BrowserContext;
  /** Messages of the alert(), confirm() and prompt() dialogs any page opened (each was dismissed). */
  dialogs: string[];
  /** Every URL any page asked for. */
  requests: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'ibg-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_EXECUTABLE,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 1280, height: 900 },
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const dialogs: string[] = [];
  const requests: string[] = [];
  context.on('page', (p) => p.on('dialog', (d) => void d.dismiss().finally(() => dialogs.push(d.message()))));
  context.on('request', (r) => requests.push(r.url()));
  return {
    context,
    dialogs,
    requests,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

export const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** No impact serious or critical; the list names the rules so that a failure says what to fix. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact ?? ''}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
