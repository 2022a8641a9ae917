import { describe, expect, it } from 'vitest';
import { hasSessionHint } from '../src/lib/session/hint.ts';
import { homeFor, loginHref, safeNext } from '../src/lib/session/next-url.ts';

describe('safeNext', () => {
  it.each([
    ['/', '/'],
    ['/devices/van-7', '/devices/van-7'],
    ['/?kind=equipment', '/?kind=equipment'],
    ['/devices/abc?from=2026-11-21#track', '/devices/abc?from=2026-11-21#track'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.com', '/%2F%2Fevil.com'],
  ])('follows the same-origin path %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    ['protocol-relative', '//evil.com'],
    ['protocol-relative with path', '//evil.com/login'],
    ['absolute', 'https://evil.com'],
    ['absolute http', 'http://evil.com/'],
    ['javascript', 'javascript:alert(1)'],
    ['javascript, encoded', 'javascript%3Aalert(1)'],
    ['vbscript', 'vbscript:msgbox(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['backslash', '/\\evil.com'],
    ['double backslash', '\\\\evil.com'],
    ['tab inside slashes', '/\t/evil.com'],
    ['newline', '/\n/evil.com'],
    ['NUL', '/\u0000/evil.com'],
    ['relative', 'devices'],
    ['empty', ''],
    ['login loop', '/login?next=/'],
    ['login sub-path', '/login/x'],
    ['too long', `/${'a'.repeat(3000)}`],
    ['userinfo trick', '@evil.com'],
    ['scheme-relative with backslash', '/\\evil.com'],
    ['space before slashes', ' //evil.com'],
  ])('refuses %s', (_, next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('uses the fallback it is given, and takes null and undefined', () => {
    expect(safeNext('https://evil.com', '/home')).toBe('/home');
    expect(safeNext(null)).toBe('/');
    expect(safeNext(undefined, '/x')).toBe('/x');
  });
});

describe('loginHref', () => {
  it('remembers where the user was, encoded', () => {
    expect(loginHref({ pathname: '/devices/van 7', search: '?kind=vehicle', hash: '#t' })).toBe(
      `/login?next=${encodeURIComponent('/devices/van%207?kind=vehicle#t')}`,
    );
  });

  it('needs nothing to remember for the home page or the login page', () => {
    expect(loginHref({ pathname: '/', search: '', hash: '' })).toBe('/login');
    expect(loginHref({ pathname: '/login', search: '?next=/x', hash: '' })).toBe('/login');
  });

  it('round-trips through safeNext', () => {
    const href = loginHref({ pathname: '/', search: '?kind=equipment', hash: '' });
    const next = new URL(href, 'http://127.0.0.1').searchParams.get('next');
    expect(safeNext(next)).toBe('/?kind=equipment');
  });
});

describe('hasSessionHint', () => {
  it('finds the hint among other cookies', () => {
    expect(hasSessionHint('fleet_session=1')).toBe(true);
    expect(hasSessionHint('theme=dark; fleet_session=1; x=y')).toBe(true);
  });

  it('is not fooled by a cleared or lookalike cookie', () => {
    expect(hasSessionHint('')).toBe(false);
    expect(hasSessionHint('fleet_session=')).toBe(false);
    expect(hasSessionHint('my_fleet_session=1')).toBe(false);
    expect(hasSessionHint('fleet_session=10')).toBe(false);
  });
});

describe('homeFor', () => {
  it('starts the fleet’s managers on the dashboard and everyone else on the live map', () => {
    expect(homeFor('admin')).toBe('/dashboard');
    expect(homeFor('fleet_manager')).toBe('/dashboard');
    for (const role of ['dispatcher', 'mechanic', 'viewer'] as const) expect(homeFor(role)).toBe('/');
    expect(homeFor(undefined)).toBe('/');
  });
});
