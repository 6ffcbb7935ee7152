// The explorer signs in as an integrator's application (issue 16 part 6): an administrator
// registers a debugging app whose only redirect URI is the gateway's /explorer/callback (a
// public client), the lawyer, signed in on the portal, opens the explorer in the same tab, enters
// the app's client id and 【使用 OAuth 登录】; the explorer runs authorization code + PKCE (S256)
// with oauth4webapi, the portal's 授权确认 asks the lawyer, the explorer redeems the code on its
// callback and sends the access token as Bearer: a query runs as the app (its scope's fields
// answer, others are refused with INSUFFICIENT_SCOPE), the token is renewed before it expires,
// and 【退出】 revokes the authorisation (gone from the lawyer's 授权管理). No request leaves
// loopback. Screens audited by axe (the explorer's own bar: GraphiQL's UI is a vendored package).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testMongoUri } from '@yuejuan/runtime/testing';
import {
  artifactsDir,
  journeyContexts,
  launchChromium,
  screenshots,
  watchProblems,
} from '../src/browser.ts';
import { demo, startClientStack, type ClientStack } from '../src/stack.ts';
import { hasAttribute, hasText, visible } from '../src/wait.ts';
import { activateVerifier, loginConsole, scanWithVerifier } from './steps.ts';

let stack: ClientStack;
let browser: Browser;
let contexts: Record<'verifier' | 'portal' | 'console', BrowserContext>;
let verifier: Page;
let portal: Page;
let staff: Page;
let shot: ReturnType<typeof screenshots>;
let dir: string;
let clientId: string;
const problems: string[] = [];
const pageErrors: string[] = [];
const outside: string[] = [];
const seen = new Set<string>();

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** A screenshot of the explorer and axe-core's audit of its OAuth bar (WCAG 2.1 A/AA). */
async function explorerShot(page: Page, name: string) {
  await page.screenshot({ path: join(dir, `explorer-${name}.png`) });
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<Result> } })
      .axe;
    const r = await axe.run(
      { include: ['.oauth-bar'] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    );
    return r.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
    );
  });
  expect(violations).toEqual([]);
}

/** Puts `query` in GraphiQL's editor, runs it and answers the result pane's text once it has `expected`. */
async function run(page: Page, query: string, expected: string | RegExp) {
  await page.evaluate((q) => {
    const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as {
      CodeMirror: { setValue(v: string): void };
    };
    editor.CodeMirror.setValue(q);
  }, query);
  // GraphiQL reads the operation from the editor after a short debounce.
  await page.waitForTimeout(600);
  await page.locator('.graphiql-execute-button').click();
  await hasText(page.locator('.result-window'), expected);
  return page.locator('.result-window').innerText();
}

beforeAll(async () => {
  // Access tokens of 60 s (identity's shortest): the explorer renews them after 30 s.
  stack = await startClientStack({
    label: 'explorer_oauth',
    mongoUri: testMongoUri(),
    env: { OAUTH_ACCESS_TOKEN_TTL_SECONDS: '60' },
  });
  browser = await launchChromium();
  contexts = await journeyContexts(browser, stack.urls);
  for (const [label, c] of Object.entries(contexts)) {
    watchProblems(c, label, problems);
    c.setDefaultTimeout(15_000);
  }
  // The lawyer's browser may reach nothing but this machine.
  await contexts.portal.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:') return route.continue();
    outside.push(url.href);
    return route.abort('internetdisconnected');
  });
  [verifier, portal, staff] = await Promise.all([
    contexts.verifier.newPage(),
    contexts.portal.newPage(),
    contexts.console.newPage(),
  ]);
  portal.on('pageerror', (e) => pageErrors.push(e.message));
  dir = artifactsDir('explorer-oauth');
  shot = screenshots(dir);
});

let broken = false;
beforeEach((ctx) => {
  if (broken) ctx.skip();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  broken = true;
  for (const [name, page] of [
    ['门户', portal],
    ['工作台', staff],
  ] as const)
    await shot(page, `失败-${name}`).catch(() => undefined);
});
afterAll(async () => {
  if (problems.length) console.log(`[e2e] 浏览器报告的问题：\n${problems.join('\n')}`);
  await browser?.close();
  await stack?.stop();
});

describe('the explorer signs in with OAuth (authorization code + PKCE)', () => {
  it('the administrator registers a debugging app whose only redirect URI is the explorer', async () => {
    await loginConsole(staff, stack, demo.administrator, seen, undefined, '管理员');
    await staff.goto('/applications');
    await staff.getByRole('button', { name: '登记接入应用', exact: true }).click();
    await staff.getByLabel('应用名称').fill('明理律所接口调试');
    await staff.getByLabel('所属单位').fill('上海明理律师事务所');
    await staff.getByLabel(/回调地址/).fill(`${stack.urls.gateway}/explorer/callback`);
    await staff.getByLabel('联系人').fill('赵律师');
    await staff.getByLabel('联系电话').fill('021-63218888');
    await staff.getByLabel(/读取个人信息/).check();
    await staff.getByRole('button', { name: '登记并生成密钥', exact: true }).click();
    clientId = (await staff.locator('[data-client-id]').textContent())!.trim();
    expect(clientId).toMatch(/^yj_/);
    await staff.getByRole('button', { name: '我已保存，关闭', exact: true }).click();
    await hasAttribute(
      staff.locator(`tr[data-application="${clientId}"]`),
      'data-status',
      'ACTIVE',
    );
  });

  it('the lawyer signs in on the portal by scan', async () => {
    await activateVerifier(verifier, stack, demo.lawyer, seen);
    await portal.goto('/login/scan');
    await hasAttribute(portal.locator('#login-qr'), 'data-status', 'PENDING');
    await scanWithVerifier(verifier, portal.locator('#login-qr img.qr'));
    await verifier.getByRole('button', { name: '确认登录', exact: true }).click();
    await portal.waitForURL('**/consent');
    await portal.getByRole('button', { name: '同意', exact: true }).click();
    await portal.waitForURL('**/profile');
    await portal.getByLabel(/^手机号码/).fill(demo.lawyer.phone);
    await portal.getByRole('button', { name: '提交', exact: true }).click();
    await portal.waitForURL('**/center');
  });

  it('signs in from the explorer through 授权确认 and runs a query as the app', async () => {
    await portal.goto(`${stack.urls.gateway}/graphql`);
    await portal.locator('.graphiql-container').waitFor();
    await portal.getByLabel('应用客户端标识').fill(clientId);
    await portal.getByLabel('权限范围').fill('profile:read');
    await explorerShot(portal, '01-未登录');
    await portal.getByRole('button', { name: '使用 OAuth 登录', exact: true }).click();
    await portal.waitForURL((url) => url.pathname === '/oauth/consent');
    await visible(portal.getByRole('heading', { name: '授权确认' }));
    await visible(portal.getByText('明理律所接口调试'));
    await visible(portal.getByText('读取个人信息'));
    await shot(portal, '门户-授权确认-接口浏览器');
    // Signed in, the explorer introspects again as the app: its documentation is the contract.
    const introspected = portal.waitForResponse(
      (r) =>
        r.request().method() === 'POST' &&
        new URL(r.url()).pathname === '/graphql' &&
        (r.request().postData() ?? '').includes('__schema') &&
        /^Bearer /.test(r.request().headers()['authorization'] ?? ''),
    );
    await portal.getByRole('button', { name: '同意授权', exact: true }).click();
    const schemaText = await (await introspected).text();
    expect(schemaText).toContain('"intakeCase"');
    expect(schemaText).not.toContain('"bindingReviewQueue"');
    // Back on the explorer's callback, which redeems the code and leaves for /graphql.
    await portal.waitForURL((url) => url.pathname === '/graphql');
    expect(portal.url()).not.toContain('code=');
    await hasText(portal.locator('#oauth-status'), `已以应用 ${clientId} 登录`);
    await hasText(portal.locator('#oauth-message'), '已登录');
    // Nothing of the token in the page's storage.
    const stored = await portal.evaluate(() =>
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    );
    expect(stored).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(stored).not.toContain('pending');

    const answer = await run(
      portal,
      '{ viewer { lawyer { name licenceNumber } } }',
      demo.lawyer.name,
    );
    expect(answer).toContain(demo.lawyer.licenceNumber);
    await explorerShot(portal, '02-已登录-查询结果');
    // As the app, not as the lawyer's own session: the bound cases need bindings:read.
    const refused = await run(
      portal,
      '{ viewer { lawyer { boundCases { totalCount } } } }',
      'INSUFFICIENT_SCOPE',
    );
    expect(refused).toContain('boundCases');
  });

  it('renews the access token before it expires, and the app keeps working', async () => {
    await hasText(portal.locator('#oauth-message'), '访问令牌已续期', 50_000);
    expect(await portal.locator('#oauth-status').innerText()).toContain(
      `已以应用 ${clientId} 登录`,
    );
    await run(portal, '{ viewer { lawyer { name } } }', demo.lawyer.name);
    // And on demand.
    await portal.getByRole('button', { name: '刷新令牌', exact: true }).click();
    await hasText(portal.locator('#oauth-message'), '访问令牌已续期');
    await run(portal, '{ viewer { lawyer { licenceNumber } } }', demo.lawyer.licenceNumber);
  });

  it('退出 revokes the authorisation: no token is sent and 授权管理 lists nothing', async () => {
    await portal.getByRole('button', { name: '退出', exact: true }).click();
    await hasText(portal.locator('#oauth-message'), '已退出，授权已撤销');
    await visible(portal.getByRole('button', { name: '使用 OAuth 登录', exact: true }));
    await explorerShot(portal, '03-已退出');
    // Anonymous now: no viewer.
    await run(portal, '{ viewer { lawyer { name } } }', /"viewer": null/);
    await portal.goto(`${stack.urls.portal}/center/authorizations`);
    await visible(portal.getByText('暂无授权的应用。'));
    await shot(portal, '门户-授权管理-已撤销');
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
