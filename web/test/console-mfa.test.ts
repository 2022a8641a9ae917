// Two-step sign-in in Chromium against the real platform: a user sets up an authenticator app on
// their account page (the QR code renders, the secret shown gives codes that work, the recovery
// codes are shown once and copied), then signs in with a code (a wrong one first) and with a
// recovery code; an administrator whom the organisation requires MFA of is kept on the account
// page until they enrol. Codes are computed with otpauth from the secret on the page, as a phone
// would. No console errors beyond the wrong code typed on purpose.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { UserDirectory } from '@fleet/api';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { collectPageErrors, launchBrowser, screenshotOnFailure } from '../../test/browser.ts';

const ROOT = resolve(import.meta.dirname, '../..');

let t: TestApi;
let browser: Browser;
interface Tab {
  context: BrowserContext;
  page: Page;
  errors: string[];
  failures: string[];
}
const tabs: Tab[] = [];
/** The only failed answers a test causes: the wrong code and password it types on purpose. */
const INTENDED_FAILURES = new Set(['POST /api/v1/auth/login/mfa 401', 'POST /api/v1/me/mfa/totp 400']);

async function openTab(): Promise<Tab> {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  const page = await context.newPage();
  const tab: Tab = { context, page, errors: collectPageErrors(page), failures: [] };
  page.on('response', (r) => {
    if (r.status() >= 400)
      tab.failures.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  tabs.push(tab);
  return tab;
}

beforeAll(async () => {
  await ensureConsoleBuilt(ROOT, () => {});
  t = await startTestApi();
  browser = await launchBrowser();
}, 180_000);

afterEach(() => {
  for (const tab of tabs) {
    const resourceErrors = tab.errors.filter((e) => e.startsWith('console: Failed to load resource'));
    expect(tab.errors.filter((e) => !resourceErrors.includes(e))).toEqual([]);
    expect(tab.failures.filter((f) => !INTENDED_FAILURES.has(f))).toEqual([]);
  }
});

afterAll(async () => {
  for (const { context } of tabs) await context.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
});

async function newUser(orgId: string, role: 'admin' | 'dispatcher') {
  const email = `mfa.web.${randomUUID().slice(0, 8)}@example.test`;
  const user = await new UserDirectory(t.platform.db).create(orgId, {
    email,
    name: 'MFA user',
    role,
    password: TEST_PASSWORD,
  });
  return { id: user.id, email };
}

/** Signs in from the login page, to the account page (the map would only slow the test down). */
async function signInWith(page: Page, email: string): Promise<void> {
  await page.goto(`${t.url}/login?next=${encodeURIComponent('/account')}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The phone: codes of steps not used yet, the current one and then the next. */
function phoneFor(secret: string) {
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    for (;;) {
      const current = totp.counter();
      const step = Math.max(current, last + 1);
      if (step <= current + 1) {
        last = step;
        return totp.generate({ timestamp: step * 30_000 });
      }
      await new Promise((r) => setTimeout(r, totp.remaining() + 100));
    }
  };
}

/** On the account page: sets up the app and answers the phone and the recovery codes shown. */
async function enrolOnAccountPage(page: Page) {
  // The password again first; a wrong one is refused at its field.
  await page.getByLabel('Your password').fill('not my password');
  await page.getByTestId('mfa-start').click();
  await page.getByTestId('field-error').getByText('wrong password', { exact: true }).waitFor();
  await page.getByLabel('Your password').fill(TEST_PASSWORD);
  await page.getByTestId('mfa-start').click();
  const qr = page.getByAltText('QR code of the authenticator secret');
  await qr.waitFor();
  // The SVG data URL renders under the console's CSP (img-src data:).
  await expect
    .poll(
      () =>
        qr.evaluate(
          (img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0,
        ),
      {
        timeout: 10_000,
      },
    )
    .toBe(true);
  const secret = (await page.getByTestId('mfa-secret').textContent()) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const phone = phoneFor(secret);
  await page.getByLabel('Code from the app').fill(await phone());
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = page.getByTestId('recovery-codes').locator('li');
  await expect.poll(() => codes.count()).toBe(10);
  return { phone, recoveryCodes: await codes.allTextContents() };
}

describe('two-step sign-in in the console', () => {
  it('is set up on the account page, then asks for a code or a recovery code at sign-in', async () => {
    const { page } = await openTab();
    const user = await newUser(t.orgA.id, 'dispatcher');
    await screenshotOnFailure(page, 'console-mfa-enrol', async () => {
      await signInWith(page, user.email);
      await page.waitForURL(`${t.url}/account`);
      expect(await page.getByTestId('user').getByRole('link').getAttribute('href')).toBe('/account');
      expect(await page.getByTestId('mfa-state').textContent()).toContain('Off');
      const { phone, recoveryCodes } = await enrolOnAccountPage(page);
      expect(new Set(recoveryCodes).size).toBe(10);
      await page.getByRole('button', { name: 'Copy codes' }).click();
      // (A string: the test's own TypeScript has no DOM types.)
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(recoveryCodes.join('\n'));
      await expect
        .poll(() => page.getByTestId('mfa-state').textContent())
        .toContain('10 recovery codes left');

      // Signing in again asks for the code; a wrong one is said so and the form stays.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${t.url}/login`);
      await signInWith(page, user.email);
      const step = page.getByTestId('mfa-step');
      await step.waitFor();
      const code = page.getByLabel('Code from your authenticator app');
      const right = await phone();
      await code.fill(right === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is wrong');
      await code.fill(right);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByTestId('user').textContent()).toContain(user.email);
      expect(new URL(page.url()).pathname).toBe('/account');

      // Without the phone: a recovery code, once.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${t.url}/login`);
      await signInWith(page, user.email);
      await page.getByTestId('switch-proof').click();
      await page.getByLabel('Recovery code').fill(recoveryCodes[0] ?? '');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByTestId('user').textContent()).toContain(user.email);
      await expect.poll(() => page.getByTestId('mfa-state').textContent()).toContain('9 recovery codes left');
    });
  });

  it('keeps an administrator whom the organisation requires MFA of on the account page until they enrol', async () => {
    const { page } = await openTab();
    const org = await t.platform.registry.ensureOrganisation(`mfa-web-${randomUUID().slice(0, 8)}`);
    const admin = await newUser(org.id, 'admin');
    const token = await t.login(admin.email);
    const policy = await t.request('PATCH', '/api/v1/organisation', {
      token,
      body: { mfaRequiredForAdmins: true },
    });
    expect(policy.status).toBe(200);
    await screenshotOnFailure(page, 'console-mfa-policy', async () => {
      await signInWith(page, admin.email);
      await page.waitForURL(`${t.url}/account`);
      await page.getByTestId('mfa-required').waitFor();
      // Another page leads back here.
      await page.goto(`${t.url}/places`);
      await page.waitForURL(`${t.url}/account`);
      await enrolOnAccountPage(page);
      await expect.poll(() => page.getByTestId('mfa-required').count()).toBe(0);
      // The session got a full token: the map and its live connection work.
      await page.goto(`${t.url}/`);
      await expect
        .poll(() => page.getByTestId('live-state').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('live');
      expect(new URL(page.url()).pathname).toBe('/');
    });
  });
});
