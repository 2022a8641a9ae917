// Debian's Chromium driven by playwright-core (DESIGN.md, machine facts): one launcher for every
// browser test and the browser bench, and screenshots of failing tests kept as artefacts.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
/** Where failing browser tests leave their screenshots (CI keeps .tmp/ as artefacts). */
export const BROWSER_ARTIFACTS = join(ROOT, '.tmp/browser-artifacts');

const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH ?? CHROMIUM_PATHS.find((p) => existsSync(p));
  if (!found || !existsSync(found))
    throw new Error('Chromium not found: apt-get install chromium (see .ci/run), or set CHROMIUM_PATH');
  return found;
}

/** Headless Chromium with the flags that work on this kind of machine (no sandbox as root, no GPU). */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** Console errors and uncaught page errors, collected so a test can assert there were none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return errors;
}

/**
 * Runs `body`; if it throws, saves a full-page screenshot named after the test under
 * BROWSER_ARTIFACTS before rethrowing.
 */
export async function screenshotOnFailure<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    mkdirSync(BROWSER_ARTIFACTS, { recursive: true });
    const file = join(BROWSER_ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    throw err;
  }
}
