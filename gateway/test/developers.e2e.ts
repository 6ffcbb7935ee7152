// 开发者文档 at /developers: served by the gateway alone under a strict CSP, its tables
// generated from the schema (every scope, the error codes), its limits those of the gateway's
// settings; in Chromium with no network but loopback it renders with no outside request, no
// script error and no axe-core violation (WCAG 2.1 A/AA). Screenshots in test-artifacts/.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readSupergraph } from '@yuejuan/schema';
import { loadScopedFields } from '../src/developers/index.ts';
import { startStack, type Stack } from './stack.ts';

const artifacts = fileURLToPath(new URL('../test-artifacts/developers/', import.meta.url));
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

const launch = () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/** axe-core's WCAG 2.1 A/AA violations of the page (or of `include` only). */
async function violations(page: Page, include?: string): Promise<string[]> {
  // The gateway's TypeScript has no DOM types: the page's globals are reached through globalThis.
  type Result = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
  type Axe = { run(context: unknown, options: unknown): Promise<Result> };
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  return page.evaluate(async (selector) => {
    const g = globalThis as unknown as { axe: Axe; document: unknown };
    const result = await g.axe.run(selector ? { include: [selector] } : g.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
    );
  }, include);
}

describe('the developer page', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    stack = await startStack('developers');
    origin = new URL(stack.url).origin;
    browser = await launch();
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is served with a strict CSP, every file from the gateway, the tables from the sources', async () => {
    const res = await fetch(`${origin}/developers`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    const assets = [...html.matchAll(/<(?:script|link)[^>]*(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(assets.filter((a) => a !== 'data:,')).toEqual([
      '/developers/developers.css',
      '/developers/developers.js',
    ]);
    for (const a of assets.filter((x) => x.startsWith('/'))) {
      const asset = await fetch(new URL(a, origin));
      expect(asset.status, a).toBe(200);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    // Every scope an application's field declares (the same source the page reads).
    const { fields } = loadScopedFields(readSupergraph());
    const scopes = new Set(fields.flatMap((f) => f.alternatives.flat()));
    expect(scopes.size).toBeGreaterThan(5);
    for (const scope of scopes) expect(html).toContain(`data-scope="${scope}"`);
    for (const f of fields) expect(html).toContain(`<code>${f.coordinate}</code>`);
    for (const code of [
      'INVALID_TOKEN',
      'INSUFFICIENT_SCOPE',
      'RATE_LIMITED',
      'QUERY_TOO_COMPLEX',
      'SLOT_FULL',
    ])
      expect(html).toContain(`data-code="${code}"`);
    expect(html).not.toContain('说明待补充');
    // The limits are this gateway's settings (stack defaults: depth 10, cost 20000).
    expect(html).toContain('<td>嵌套深度（depth）</td><td>10</td>');
    expect(html).toContain('<td>20000</td>');
    // The explorer's redirect URI and the links.
    expect(html).toContain('/explorer/callback');
    expect(html).toContain('href="/graphql"');
    const contract = await fetch(`${origin}/developers/contract.graphql`);
    expect(contract.status).toBe(200);
    expect(contract.headers.get('content-disposition')).toContain('attachment');
    expect(await contract.text()).toMatch(/type Query/);
    expect((await fetch(`${origin}/developers/nothing.js`)).status).toBe(404);
  });

  it('says so when the explorer is off (production), and still documents the API', async () => {
    const production = await stack.startGateway({ NODE_ENV: 'production' });
    const prodOrigin = new URL(production.url).origin;
    const html = await (await fetch(`${prodOrigin}/developers`)).text();
    expect(html).toContain('接口浏览器（本网关未开启）');
    expect(html).toContain('本网关只接受已登记的持久化操作');
    expect(html).toContain('data-scope="profile:read"');
    expect((await fetch(`${prodOrigin}/explorer/callback`)).status).toBe(404);
  });

  it('renders offline in Chromium, fills in this gateway’s address, and passes axe-core', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
    });
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue();
      outside.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await page.goto(`${origin}/developers`);
    await page.getByRole('heading', { level: 1, name: '开发者文档' }).waitFor();
    await expect.poll(() => page.locator('[data-origin]').first().textContent()).toBe(origin);
    expect(await page.locator('pre code').first().textContent()).toContain(`GATEWAY=${origin}`);
    expect(await page.locator('tr[data-scope]').count()).toBeGreaterThan(5);
    await page.screenshot({ path: join(artifacts, '01-开发者文档.png') });
    await page.locator('#scopes').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, '02-开发者文档-权限范围.png') });
    await page.screenshot({ path: join(artifacts, '03-开发者文档-全页.png'), fullPage: true });
    expect(await violations(page)).toEqual([]);
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);

    // The explorer links here, and its OAuth bar passes axe too (GraphiQL's own UI is its own).
    await page.goto(`${origin}/graphql`);
    await page.locator('.graphiql-container').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: '使用 OAuth 登录' }).waitFor();
    expect(await page.getByRole('link', { name: '开发者文档' }).getAttribute('href')).toBe(
      '/developers',
    );
    expect(await violations(page, '.oauth-bar')).toEqual([]);
    await page.screenshot({ path: join(artifacts, '04-接口浏览器-OAuth登录.png') });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
