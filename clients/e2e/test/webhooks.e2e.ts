// Issue 16 part 4 in the browser: on 接入应用管理 an administrator opens an application's
// Webhook page, adds an endpoint (a real receiver on loopback), sees its signing secret once,
// sees a delivery arrive in the delivery log (status, HTTP status, latency, attempts), and
// replays it (重新投递): the receiver gets the same webhook-id again, marked as a replay and
// verified with standardwebhooks. Every screen is audited by axe.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo, createEventBus, createLogger, type EventBus } from '@yuejuan/runtime';
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
let connection: Awaited<ReturnType<typeof connectMongo>>;
let bus: EventBus;
let receiver: http.Server;
let receiverUrl: string;
const received: { headers: Record<string, string>; body: string }[] = [];
const problems: string[] = [];
const seen = new Set<string>();
const eventsDb = `e2e_webhooks_${randomBytes(3).toString('hex')}_events`;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        headers: {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        },
        body,
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/yuejuan-hooks`;
  stack = await startClientStack({
    label: 'webhooks',
    mongoUri: testMongoUri(),
    env: { EVENTS_DB: eventsDb, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '500' },
  });
  connection = await connectMongo(testMongoUri(), eventsDb);
  bus = createEventBus({
    client: connection.getClient(),
    dbName: eventsDb,
    logger: createLogger('e2e-bus', 'silent'),
  });
  browser = await launchChromium();
  const contexts = await journeyContexts(browser, stack.urls);
  watchProblems(contexts.console, 'console', problems);
  contexts.console.setDefaultTimeout(15_000);
  staff = await contexts.console.newPage();
  shot = screenshots(artifactsDir('webhooks'));
});
afterAll(async () => {
  if (problems.length) console.log(`[e2e] 浏览器报告的问题：\n${problems.join('\n')}`);
  await browser?.close();
  await stack?.stop();
  await bus?.close();
  await connection?.close();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

describe('Webhook on 接入应用管理', () => {
  it('adds an endpoint, shows its secret once, shows a delivery and replays it', async () => {
    await loginConsole(staff, stack, demo.administrator, seen, undefined, '管理员');
    await staff.goto('/applications');
    await staff.getByRole('button', { name: '登记接入应用', exact: true }).click();
    await staff.getByLabel('应用名称').fill('上海检察业务应用系统');
    await staff.getByLabel('所属单位').fill('上海市人民检察院案件管理部');
    await staff.getByLabel('应用类型').selectOption('PROCURATORATE_SYSTEM');
    await staff.getByLabel('所属检察院').selectOption({ label: '上海市人民检察院' });
    await staff.getByLabel('联系人').fill('钱工程师');
    await staff.getByLabel('联系电话').fill('021-63218888');
    await staff.getByLabel(/读取本院案件/).check();
    await staff.getByRole('button', { name: '登记并生成密钥', exact: true }).click();
    const clientId = (await staff.locator('[data-client-id]').textContent())!.trim();
    await staff.getByRole('button', { name: '我已保存，关闭', exact: true }).click();

    await staff.locator(`[data-webhooks-link="${clientId}"]`).click();
    await visible(staff.getByRole('heading', { name: 'Webhook 接收地址：上海检察业务应用系统' }));
    await visible(staff.getByText('尚未添加接收地址。'));
    await staff.getByRole('button', { name: '添加接收地址', exact: true }).click();
    await staff.getByLabel('接收地址（https）').fill(receiverUrl);
    // Every type the system's scopes allow is chosen; keep only the binding applications.
    for (const t of await staff.locator('[data-event-type]:not([disabled])').all())
      await t.setChecked(
        (await t.getAttribute('data-event-type')) === 'binding_application.status_changed',
      );
    await shot(staff, '工作台-添加Webhook接收地址');
    await staff.getByRole('button', { name: '添加', exact: true }).click();
    const secret = (await staff.locator('[data-webhook-secret]').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await visible(staff.locator('tr[data-endpoint]').getByText(receiverUrl));
    await shot(staff, '工作台-Webhook签名密钥');
    await staff.getByRole('button', { name: '我已保存，关闭', exact: true }).click();
    expect(await staff.locator('[data-webhook-secret]').count()).toBe(0);
    // Shown once: not on the page after a reload either.
    await staff.reload();
    await visible(staff.locator('tr[data-endpoint]').getByText(receiverUrl));
    expect(await staff.getByText(secret).count()).toBe(0);

    // An event of its own procuratorate, as cases publishes it.
    const event = await bus.publish('cases.bindingApplication.changed', {
      applicationId: 'ba-e2e-1',
      lawyerId: 'lawyer-e2e',
      procuratorateId: 'SH-310000',
      caseId: 'case-e2e',
      status: 'SUBMITTED',
    });
    const arrived = async () => {
      for (let i = 0; i < 200 && received.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      return received[0]!;
    };
    const first = await arrived();
    const payload = new Webhook(secret).verify(first.body, first.headers) as {
      data: { eventId: string };
    };
    expect(payload.data.eventId).toBe(event.id);

    await staff.reload();
    const row = staff.locator(`tr[data-delivery="${first.headers['webhook-id']}"]`);
    await hasAttribute(row, 'data-status', 'DELIVERED');
    await visible(row.getByRole('cell', { name: '200', exact: true }));
    await row.getByRole('button', { name: '详情', exact: true }).click();
    await visible(staff.getByRole('cell', { name: '第 1 次', exact: true }));
    await shot(staff, '工作台-Webhook投递记录');

    await row.getByRole('button', { name: '重新投递', exact: true }).click();
    await visible(staff.getByRole('status').filter({ hasText: '已重新投递' }));
    for (let i = 0; i < 200 && received.length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const replay = received[1]!;
    expect(replay.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(new Webhook(secret).verify(replay.body, replay.headers)).toMatchObject({
      replay: { id: expect.stringMatching(/^rpl_/) },
    });
    await staff.reload();
    await row.getByRole('button', { name: '详情', exact: true }).click();
    await visible(staff.getByRole('cell', { name: '第 1 次（重新投递）', exact: true }));
    await visible(row.getByText('重新投递 1 次'));
    // The filter: only failed ones (none).
    await staff.locator('select[name="status"]').selectOption('FAILED');
    await staff.getByRole('button', { name: '筛选', exact: true }).click();
    await visible(staff.getByText('暂无投递记录。'));
    expect(new URL(staff.url()).searchParams.get('status')).toBe('FAILED');
  });
});
