// Issue 16 part 5 in the browser: on the console's 接入应用管理 page an administrator opens an
// application's 已登记操作, pastes an integrator's GraphQL operation, registers it and sees it
// listed with its hash; an operation the schema does not accept is refused with a clear message
// and not listed. Every screen is audited by axe.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri } from '@yuejuan/runtime/testing';
import {
  artifactsDir,
  journeyContexts,
  launchChromium,
  screenshots,
  watchProblems,
} from '../src/browser.ts';
import { demo, startClientStack, type ClientStack } from '../src/stack.ts';
import { hasAttribute, visible } from '../src/wait.ts';
import { loginConsole } from './steps.ts';

let stack: ClientStack;
let browser: Browser;
let staff: Page;
let shot: ReturnType<typeof screenshots>;
const problems: string[] = [];
const seen = new Set<string>();

beforeAll(async () => {
  stack = await startClientStack({ label: 'appops', mongoUri: testMongoUri() });
  browser = await launchChromium();
  const contexts = await journeyContexts(browser, stack.urls);
  watchProblems(contexts.console, 'console', problems);
  contexts.console.setDefaultTimeout(15_000);
  staff = await contexts.console.newPage();
  shot = screenshots(artifactsDir('app-operations'));
});
afterAll(async () => {
  if (problems.length) console.log(`[e2e] 浏览器报告的问题：\n${problems.join('\n')}`);
  await browser?.close();
  await stack?.stop();
});

describe('已登记操作 on 接入应用管理', () => {
  it('registers an application’s operation and lists it; refuses one the schema does not accept', async () => {
    await loginConsole(staff, stack, demo.administrator, seen, undefined, '管理员');
    await staff.goto('/applications');
    await staff.getByRole('button', { name: '登记接入应用', exact: true }).click();
    await staff.getByLabel('应用名称').fill('明理律所案件管理系统');
    await staff.getByLabel('所属单位').fill('上海明理律师事务所');
    await staff.getByLabel(/回调地址/).fill('https://lawfirm.example.cn/callback');
    await staff.getByLabel('联系人').fill('赵律师');
    await staff.getByLabel('联系电话').fill('021-63218888');
    await staff.getByLabel(/读取案件绑定/).check();
    await staff.getByRole('button', { name: '登记并生成密钥', exact: true }).click();
    const clientId = (await staff.locator('[data-client-id]').textContent())!.trim();
    await staff.getByRole('button', { name: '我已保存，关闭', exact: true }).click();
    const row = staff.locator(`tr[data-application="${clientId}"]`);
    await hasAttribute(row, 'data-status', 'ACTIVE');

    await row.getByRole('button', { name: '已登记操作', exact: true }).click();
    const panel = staff.locator(`[data-operations="${clientId}"]`);
    await visible(panel.getByText('尚未登记操作。'));
    const source = panel.getByLabel(/GraphQL 操作文档/);
    await source.fill(
      'query FirmBindings { viewer { lawyer { boundCases(first: 20) { totalCount } } } }',
    );
    await panel.getByRole('button', { name: '登记操作', exact: true }).click();
    await visible(panel.getByRole('status').filter({ hasText: '已登记 1 个操作' }));
    await visible(panel.getByRole('cell', { name: 'FirmBindings', exact: true }));
    expect(await panel.locator('tr[data-operation]').count()).toBe(1);
    const hash = await panel.locator('tr[data-operation]').getAttribute('data-operation');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    await panel.getByRole('button', { name: '文档', exact: true }).click();
    await visible(panel.locator('pre', { hasText: 'boundCases(first: 20)' }));
    await shot(staff, '工作台-已登记操作');

    await source.fill('query Wrong { viewer { noSuchField } }');
    await panel.getByRole('button', { name: '登记操作', exact: true }).click();
    await visible(panel.getByRole('alert').filter({ hasText: /“Wrong”.*与接口不符/ }));
    expect(await panel.locator('tr[data-operation]').count()).toBe(1);
    await shot(staff, '工作台-登记操作被拒');
  });
});
