// The console in Chromium against the real platform (API, hub, broker, QuestDB) with two devices:
// the login redirect, a wrong password, signing in, the header with the organisation, the user
// and the live connection, the fleet counts (updated live), a reload that keeps the session,
// a deep link that survives signing in, the 429 wait, and signing out. No console errors, and
// nothing requested from anywhere but 127.0.0.1.
import { resolve } from 'node:path';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { encodeTelemetryBatch } from '@fleet/proto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { collectPageErrors, launchBrowser, screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';

const ROOT = resolve(import.meta.dirname, '../..');

let t: TestApi;
let browser: Browser;
let vehicle: TestDevice;
let tag: TestDevice;
let organisationName = '';
/** Every URL any page asked for, WebSockets included. */
const requested: string[] = [];
interface Tab {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** Answers of 400 and above, as "METHOD /path status". */
  failures: string[];
}
const tabs: Tab[] = [];
/** The only failed answers a test may cause: the wrong passwords it types on purpose. */
const INTENDED_FAILURES = new Set(['POST /api/v1/auth/login 401', 'POST /api/v1/auth/login 429']);

let seq = 1;
async function report(device: TestDevice, speedKmh: number, ignition: boolean): Promise<void> {
  const mqtt = await connectDevice(t.platform.service.mqttPort, device);
  try {
    await mqtt.publishAsync(
      `devices/${device.id}/telemetry`,
      Buffer.from(
        encodeTelemetryBatch([
          { seq: seq++, tsMs: Date.now(), lat: 60.17, lon: 24.94, speedKmh, headingDeg: 90, ignition },
        ]),
      ),
      { qos: 1 },
    );
  } finally {
    await mqtt.endAsync();
  }
}

async function openTab(): Promise<Tab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const tab: Tab = { context, page, errors: collectPageErrors(page), failures: [] };
  page.on('request', (r) => requested.push(r.url()));
  page.on('websocket', (ws) => requested.push(ws.url()));
  page.on('response', (r) => {
    if (r.status() >= 400)
      tab.failures.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  tabs.push(tab);
  return tab;
}

beforeAll(async () => {
  await ensureConsoleBuilt(ROOT, () => {});
  t = await startTestApi({ AUTH_LOGIN_MAX_FAILURES: 3 });
  vehicle = await t.orgA.provision('vehicle');
  tag = await t.orgA.provision('equipment');
  await report(vehicle, 42, true); // moving; the tag has never reported: offline
  const me = await t.request<{ organisation: { name: string } }>('GET', '/api/v1/me', {
    token: t.orgA.users.dispatcher.token,
  });
  organisationName = me.body.organisation.name;
  browser = await launchBrowser();
}, 180_000);

afterEach(() => {
  for (const tab of tabs) {
    // Chromium logs every failed answer as a console error; those of the wrong passwords a test
    // types on purpose are the only ones allowed. Anything else on the console fails the test.
    const resourceErrors = tab.errors.filter((e) => e.startsWith('console: Failed to load resource'));
    expect(tab.errors.filter((e) => !resourceErrors.includes(e))).toEqual([]);
    expect(tab.failures.filter((f) => !INTENDED_FAILURES.has(f))).toEqual([]);
    expect(resourceErrors).toHaveLength(tab.failures.length);
  }
});

afterAll(async () => {
  for (const { context } of tabs) await context.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
  const foreign = requested.filter((u) => new URL(u).hostname !== '127.0.0.1');
  expect(foreign).toEqual([]);
});

async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const dispatcher = () => t.orgA.users.dispatcher;

describe('signing in', () => {
  let page: Page;
  beforeAll(async () => {
    ({ page } = await openTab());
  });

  it('sends / to the login page', async () => {
    await screenshotOnFailure(page, 'console-auth-redirect', async () => {
      await page.goto(`${t.url}/`);
      await page.waitForURL(`${t.url}/login`);
      await expect.poll(() => page.getByRole('heading', { name: 'Fleet console' }).isVisible()).toBe(true);
    });
  });

  it('shows an error for a wrong password', async () => {
    await screenshotOnFailure(page, 'console-auth-wrong-password', async () => {
      await signInWith(page, dispatcher().email, 'not the password');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('Wrong email or password.');
      expect(new URL(page.url()).pathname).toBe('/login');
    });
  });

  it('signs in and shows the organisation, the user and the live connection', async () => {
    await screenshotOnFailure(page, 'console-auth-header', async () => {
      await signInWith(page, dispatcher().email, TEST_PASSWORD);
      await page.waitForURL(`${t.url}/`);
      await expect.poll(() => page.getByTestId('organisation').textContent()).toBe(organisationName);
      const user = await page.getByTestId('user').textContent();
      expect(user).toContain(dispatcher().email);
      expect(user).toContain('dispatcher');
      await expect
        .poll(() => page.getByTestId('live-state').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('live');
      expect(await page.getByTestId('live-state').textContent()).toContain('Live');
    });
  });

  it("counts the fleet's devices by status, updated live", async () => {
    await screenshotOnFailure(page, 'console-auth-counts', async () => {
      await expect.poll(() => page.getByTestId('list-summary').textContent()).toContain('2 of 2 devices');
      expect(await page.getByTestId('count-moving').textContent()).toBe('1');
      expect(await page.getByTestId('count-offline').textContent()).toBe('1');
      // The tag reports, standing with its engine off: stopped, without a reload.
      await report(tag, 0, false);
      await expect.poll(() => page.getByTestId('count-stopped').textContent(), { timeout: 10_000 }).toBe('1');
      expect(await page.getByTestId('count-offline').textContent()).toBe('0');
    });
  });

  it('keeps the session over a reload (the refresh cookie)', async () => {
    await screenshotOnFailure(page, 'console-auth-reload', async () => {
      await page.reload();
      await expect.poll(() => page.getByTestId('user').textContent()).toContain(dispatcher().email);
      expect(new URL(page.url()).pathname).toBe('/');
      await expect
        .poll(() => page.getByTestId('live-state').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('live');
    });
  });

  it('signs out to the login page, and the session is gone', async () => {
    await screenshotOnFailure(page, 'console-auth-sign-out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${t.url}/login`);
      expect(await page.getByRole('status').textContent()).toContain('You have signed out.');
      await page.goto(`${t.url}/`);
      await page.waitForURL(`${t.url}/login`);
    });
  });
});

describe('a deep link while signed out', () => {
  it('leads to the login page and back to the link afterwards', async () => {
    const { page } = await openTab();
    await screenshotOnFailure(page, 'console-auth-deep-link', async () => {
      await page.goto(`${t.url}/?kind=equipment`);
      await page.waitForURL(`${t.url}/login?next=${encodeURIComponent('/?kind=equipment')}`);
      await signInWith(page, t.orgA.users.viewer.email, TEST_PASSWORD);
      await page.waitForURL(`${t.url}/?kind=equipment`);
      await expect.poll(() => page.getByTestId('list-summary').textContent()).toContain('1 of 1 devices');
      expect(await page.getByTestId('list-kind').inputValue()).toBe('equipment');
    });
  });

  it('never follows a next that leaves the console', async () => {
    const { page } = await openTab();
    await screenshotOnFailure(page, 'console-auth-evil-next', async () => {
      await page.goto(`${t.url}/login?next=${encodeURIComponent('//evil.example/steal')}`);
      await signInWith(page, t.orgA.users.fleet_manager.email, TEST_PASSWORD);
      // Not followed: the fleet manager's home, the dashboard, instead.
      await page.waitForURL(`${t.url}/dashboard`);
    });
  });
});

describe('too many failed attempts', () => {
  it('shows how long to wait and keeps the form shut meanwhile', async () => {
    const { page } = await openTab();
    await screenshotOnFailure(page, 'console-auth-429', async () => {
      await page.goto(`${t.url}/login`);
      const email = t.orgA.users.mechanic.email;
      for (let i = 0; i < 3; i++) {
        await signInWith(page, email, `wrong password ${i}`);
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong email or password.');
      }
      await signInWith(page, email, TEST_PASSWORD);
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Too many failed sign-in attempts.');
      expect(await page.getByTestId('login-wait').textContent()).toMatch(/^1[45] min( \d+ s)?$/);
      expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true);
    });
  });
});
