// Issue 16 in the browser: an administrator registers a law-firm system in the console (its
// secret shown once), the lawyer signs in on the portal by scan, the sample app (a tiny node
// server, clients/e2e/src/sample-app.ts) sends the lawyer through the authorization code flow
// with PKCE, the portal's 授权确认 names the app and each scope, and the app reads only what its
// scopes allow. It loses access when the lawyer revokes the grant in 授权管理, and again, after a
// new consent, when the administrator suspends the app. Every screen is audited by axe.
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
import { startSampleApp, type SampleApp } from '../src/sample-app.ts';
import { demo, startClientStack, type ClientStack } from '../src/stack.ts';
import { hasAttribute, hasText, visible } from '../src/wait.ts';
import { activateVerifier, loginConsole, scanWithVerifier } from './steps.ts';

let stack: ClientStack;
let browser: Browser;
let contexts: Record<'verifier' | 'portal' | 'console', BrowserContext>;
let verifier: Page;
let portal: Page;
let staff: Page;
let sample: SampleApp;
let shot: ReturnType<typeof screenshots>;
const problems: string[] = [];
const seen = new Set<string>();

beforeAll(async () => {
  stack = await startClientStack({ label: 'oauth', mongoUri: testMongoUri() });
  sample = await startSampleApp(stack.urls.gateway, 'openid profile:read');
  browser = await launchChromium();
  contexts = await journeyContexts(browser, stack.urls);
  for (const [label, c] of Object.entries(contexts)) {
    watchProblems(c, label, problems);
    c.setDefaultTimeout(15_000);
  }
  [verifier, portal, staff] = await Promise.all([
    contexts.verifier.newPage(),
    contexts.portal.newPage(),
    contexts.console.newPage(),
  ]);
  shot = screenshots(artifactsDir('oauth'));
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
  await sample?.close();
  await stack?.stop();
});

/** From the sample app's start page through 授权确认 【同意授权】 back to the app's callback. */
async function authorizeInPortal(name: string) {
  await portal.goto(sample.url);
  await portal.getByRole('link', { name: '使用12309中国检察网账号授权' }).click();
  await portal.waitForURL((url) => url.pathname === '/oauth/consent');
  await visible(portal.getByRole('heading', { name: '授权确认' }));
  await visible(portal.getByText('明理律所案件管理系统'));
  await visible(portal.getByText('读取个人信息'));
  await shot(portal, name);
  await portal.getByRole('button', { name: '同意授权', exact: true }).click();
  await portal.waitForURL((url) => url.pathname === '/callback');
  await hasText(portal.locator('#result'), `已授权：${demo.lawyer.name} 律师`);
}

describe('a law-firm system authorised by a lawyer (OAuth 2 code + PKCE)', () => {
  it('the administrator registers the app in the console and sees its secret once', async () => {
    await loginConsole(staff, stack, demo.administrator, seen, undefined, '管理员');
    await staff.goto('/applications');
    await staff.getByRole('button', { name: '登记接入应用', exact: true }).click();
    await staff.getByLabel('应用名称').fill('明理律所案件管理系统');
    await staff.getByLabel('所属单位').fill('上海明理律师事务所');
    await staff.getByLabel(/回调地址/).fill(sample.redirectUri);
    await staff.getByLabel('联系人').fill('赵律师');
    await staff.getByLabel('联系电话').fill('021-63218888');
    await staff.getByLabel(/读取个人信息/).check();
    await staff.getByLabel(/读取案件绑定/).check();
    await shot(staff, '工作台-登记接入应用');
    await staff.getByRole('button', { name: '登记并生成密钥', exact: true }).click();
    const clientId = (await staff.locator('[data-client-id]').textContent())!.trim();
    const clientSecret = (await staff.locator('[data-client-secret]').textContent())!.trim();
    expect(clientId).toMatch(/^yj_/);
    expect(clientSecret).toMatch(/^yjs_/);
    await hasAttribute(
      staff.locator(`tr[data-application="${clientId}"]`),
      'data-status',
      'ACTIVE',
    );
    await shot(staff, '工作台-接入应用密钥');
    await staff.getByRole('button', { name: '我已保存，关闭', exact: true }).click();
    await expect.poll(() => staff.locator('[data-client-secret]').count()).toBe(0);
    await hasAttribute(
      staff.locator(`tr[data-application="${clientId}"]`),
      'data-status',
      'ACTIVE',
    );
    sample.register({ clientId, clientSecret });
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

  it('approves on 授权确认; the app reads the profile and is refused the bound cases', async () => {
    await authorizeInPortal('门户-授权确认');
    const { status, body } = await sample.read();
    expect(status).toBe(200);
    expect(body.data?.viewer?.lawyer?.name).toBe(demo.lawyer.name);
    expect(body.errors).toBeUndefined();
    const bound = await sample.readBound();
    expect(bound.body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['viewer.lawyer.boundCases', 'INSUFFICIENT_SCOPE'],
    ]);
    await hasText(portal.locator('#refused'), 'INSUFFICIENT_SCOPE');
    await shot(portal, '示例应用-已授权');
  });

  it('loses access when the lawyer revokes the authorisation in 授权管理', async () => {
    await portal.goto('/center');
    await portal.getByRole('link', { name: '授权管理', exact: true }).click();
    await portal.waitForURL('**/center/authorizations');
    await visible(portal.getByRole('cell', { name: /明理律所案件管理系统/ }));
    await shot(portal, '门户-授权管理');
    portal.once('dialog', (d) => void d.accept());
    await portal.getByRole('button', { name: '撤销授权', exact: true }).click();
    await visible(portal.getByRole('status').filter({ hasText: '已撤销' }));
    await visible(portal.getByText('暂无授权的应用。'));
    const { status, body } = await sample.read();
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
  });

  it('after a new consent, loses access when the administrator suspends the app', async () => {
    await authorizeInPortal('门户-再次授权确认');
    expect((await sample.read()).status).toBe(200);
    await staff.goto('/applications');
    const row = staff.locator('tr[data-application]', { hasText: '明理律所案件管理系统' });
    await row.getByRole('button', { name: '停用', exact: true }).click();
    await staff.getByLabel('停用原因').fill('合作协议到期');
    await staff.getByRole('button', { name: '确认停用', exact: true }).click();
    await hasAttribute(row, 'data-status', 'SUSPENDED');
    await row.getByRole('button', { name: '变更记录' }).click();
    await visible(staff.getByRole('cell', { name: /停用：合作协议到期/ }));
    await shot(staff, '工作台-接入应用已停用');
    const { status, body } = await sample.read();
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
  });
});
