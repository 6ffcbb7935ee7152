// Every app's pages carry a Content-Security-Policy (with the gateway's WebSocket allowed and
// framing refused) and the other security headers, and work under them in Chromium: no CSP
// violation on any page, live status over the WebSocket, and no other site can frame them.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri } from '@yuejuan/runtime/testing';
import { launchChromium } from '../src/browser.ts';
import { startClientStack, type ClientStack } from '../src/stack.ts';
import { hasAttribute } from '../src/wait.ts';

let stack: ClientStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startClientStack({ label: 'headers', mongoUri: testMongoUri() });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A page that records CSP violations (the DOM event, and Chromium's console line). */
async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.newPage();
  const violations: string[] = [];
  await page.exposeFunction('__cspViolation', (v: string) => {
    violations.push(v);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      );
    });
  });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  return { page, violations };
}

describe('security headers of the apps', () => {
  it.each([
    ['portal', ['/', '/login', '/login/scan', '/register']],
    ['verifier', ['/', '/activate']],
    ['console', ['/', '/login']],
  ] as const)(
    '%s: every page has the CSP and security headers and runs without a violation',
    async (app, paths) => {
      const { page, violations } = await watchedPage();
      for (const path of paths) {
        const response = await page.goto(new URL(path, stack.urls[app]).toString());
        const headers = response!.headers();
        const csp = headers['content-security-policy'] ?? '';
        expect(csp, `${app}${path}`).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')+/);
        expect(csp).toContain(
          `connect-src 'self' ${new URL(stack.urls.graphql).origin.replace(/^http/, 'ws')}`,
        );
        expect(headers['x-frame-options']).toBe('DENY');
        expect(headers['x-content-type-options']).toBe('nosniff');
        expect(headers['referrer-policy']).toBe('same-origin');
        await page.waitForLoadState('networkidle');
      }
      expect(violations).toEqual([]);
      await page.close();
    },
  );

  it('keeps live statuses working under the CSP (the login QR subscribes over the gateway WebSocket)', async () => {
    const { page, violations } = await watchedPage();
    let socket = false;
    page.on('websocket', () => {
      socket = true;
    });
    await page.goto(new URL('/login/scan', stack.urls.portal).toString());
    await hasAttribute(page.locator('#login-qr'), 'data-status', 'PENDING');
    await expect.poll(() => socket).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('refuses to be framed by another site', async () => {
    const page = await browser.newPage();
    // Another site (served here by the test itself, without any policy) embeds the portal's login page.
    const src = new URL('/login', stack.urls.portal).toString();
    await page.route('http://embedder.test/', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>x</title><iframe src="${src}"></iframe>`,
      }),
    );
    await page.goto('http://embedder.test/');
    await page.waitForLoadState('networkidle');
    // Chromium replaces a frame refused by frame-ancestors with its own error page.
    const child = page.frames().find((f) => f !== page.mainFrame());
    expect(child).toBeDefined();
    const text = await child!.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(child!.url()).not.toBe(src);
    expect(text).not.toContain('12309');
    await page.close();
  });

  it("sends a visitor without a session from the portal's inner pages to 登录, without a page error (issue 15)", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    for (const path of ['/center', '/consent', '/profile', '/cases/bindings', '/appointments']) {
      await page.goto(new URL(path, stack.urls.portal).toString());
      await page.waitForURL('**/login', { timeout: 10_000 });
      await page.waitForLoadState('networkidle');
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
