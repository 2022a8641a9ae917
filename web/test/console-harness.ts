// The harness of the console's page tests in Chromium against the real platform: one platform
// and one browser per file, tabs signed in as a test user, and after each test the check that
// nothing failed unasked: no console or page error, and every answer of 400 and above one the
// running test provokes on purpose (`tab.intended`). After the file, nothing was asked of any
// host but 127.0.0.1.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import type { SettingName } from '@fleet/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi, type TestUser } from '../../test/api-support.ts';
import { collectPageErrors, launchBrowser } from '../../test/browser.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCREENSHOTS = resolve(ROOT, 'docs/screenshots');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export interface Tab {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Answers of 400 and above, as "METHOD /path status" (ids replaced by {id}). */
  failures: string[];
  /** The failures the running test provokes on purpose. */
  intended: Set<string>;
}

export interface ConsoleHarness {
  /** The platform under test (set once beforeAll has run). */
  readonly api: TestApi;
  /** A new browser tab signed in as `user`, at `path`. */
  signedIn(user: TestUser, path: string): Promise<Tab>;
  /** Saves docs/screenshots/<name>.png (the README shows them). */
  screenshot(page: Page, name: string): Promise<void>;
}

/**
 * expect.poll with room for this machine: two cores shared with other work, and Chromium
 * drawing the maps in software.
 */
export function poll<T>(fn: () => Promise<T> | T, options: { timeout?: number } = {}) {
  return expect.poll(fn, { timeout: 15_000, ...options });
}

/**
 * Registers the file's beforeAll/afterEach/afterAll hooks; call once at the top of a test file.
 * `settings` are the platform's settings for this file, asked for when it starts (after the
 * file's own earlier beforeAll hooks, so a mail server started there can be named).
 */
export function useConsoleHarness(
  options: { settings?: () => Partial<Record<SettingName, string | number | boolean>> } = {},
): ConsoleHarness {
  let t: TestApi | undefined;
  let browser: Browser | undefined;
  const requested: string[] = [];
  const tabs: Tab[] = [];

  beforeAll(async () => {
    await ensureConsoleBuilt(ROOT, () => {});
    t = await startTestApi(options.settings?.() ?? {});
    browser = await launchBrowser();
  }, 180_000);

  afterEach(() => {
    for (const tab of tabs) {
      // Chromium logs every failed answer as a console error: those are counted, not allowed blindly.
      const resourceErrors = tab.errors.filter((e) => e.startsWith('console: Failed to load resource'));
      expect(tab.errors.filter((e) => !resourceErrors.includes(e))).toEqual([]);
      expect(tab.failures.filter((f) => !tab.intended.has(f))).toEqual([]);
      expect(resourceErrors).toHaveLength(tab.failures.length);
      tab.errors.length = 0;
      tab.failures.length = 0;
      tab.intended.clear();
    }
  });

  afterAll(async () => {
    for (const { context } of tabs) await context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
    expect(requested.filter((u) => new URL(u).hostname !== '127.0.0.1')).toEqual([]);
  });

  const started = (): { t: TestApi; browser: Browser } => {
    if (t === undefined || browser === undefined) throw new Error('the harness starts in beforeAll');
    return { t, browser };
  };

  return {
    get api() {
      return started().t;
    },
    async signedIn(user, path) {
      const { t: api, browser: chromium } = started();
      const context = await chromium.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const tab: Tab = { context, page, errors: collectPageErrors(page), failures: [], intended: new Set() };
      page.on('request', (r) => requested.push(r.url()));
      page.on('websocket', (ws) => requested.push(ws.url()));
      page.on('response', (r) => {
        if (r.status() >= 400)
          tab.failures.push(
            `${r.request().method()} ${new URL(r.url()).pathname.replace(UUID, '{id}')} ${r.status()}`,
          );
      });
      tabs.push(tab);
      await page.goto(`${api.url}/login?next=${encodeURIComponent(path)}`);
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${api.url}${path}`);
      return tab;
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`) });
    },
  };
}
