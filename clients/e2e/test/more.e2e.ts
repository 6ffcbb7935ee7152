// The other ways through the portal: an expired login QR replaced by itself, an SMS-code
// login (not identity-verified) forced through the identity QR before 案件绑定申请, and the
// phone + password login with 忘记密码 and 修改登录密码.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri } from '@yuejuan/runtime/testing';
import {
  artifactsDir,
  journeyContexts,
  launchChromium,
  screenshots,
  watchProblems,
} from '../src/browser.ts';
import { codeIn, waitForSms } from '../src/sms.ts';
import { demo, startClientStack, type ClientStack } from '../src/stack.ts';
import { hasAttribute, hasText, visible } from '../src/wait.ts';
import { activateVerifier, scanWithVerifier } from './steps.ts';

const ticketSeconds = 8;
let stack: ClientStack;
let browser: Browser;
let contexts: Record<'verifier' | 'portal' | 'console', BrowserContext>;
let verifier: Page;
let portal: Page;
let shot: ReturnType<typeof screenshots>;
const problems: string[] = [];
const seen = new Set<string>();

beforeAll(async () => {
  stack = await startClientStack({
    label: 'more',
    mongoUri: testMongoUri(),
    env: { LOGIN_TICKET_TTL_SECONDS: String(ticketSeconds), SMS_RESEND_SECONDS: '1' },
  });
  browser = await launchChromium();
  contexts = await journeyContexts(browser, stack.urls);
  for (const [label, c] of Object.entries(contexts)) {
    watchProblems(c, label, problems);
    c.setDefaultTimeout(15_000);
  }
  [verifier, portal] = await Promise.all([contexts.verifier.newPage(), contexts.portal.newPage()]);
  shot = screenshots(artifactsDir('more'));
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail')
    for (const [name, page] of [
      ['核验', verifier],
      ['门户', portal],
    ] as const)
      await shot(page, `失败-${name}`).catch(() => undefined);
});

afterAll(async () => {
  if (problems.length) console.log(`[e2e] 浏览器报告的问题：\n${problems.join('\n')}`);
  await browser?.close();
  await stack?.stop();
});

describe('portal logins', () => {
  it('【注册】 keeps lawyers apart: a lawyer is led to the scan login, the public told where to go', async () => {
    await portal.goto('/');
    await portal.getByRole('link', { name: '注册', exact: true }).first().click();
    await visible(portal.getByRole('heading', { name: '注册', exact: true }));
    await portal.getByLabel(/我是执业律师/).check();
    await hasText(portal.locator('#register-lawyer'), '无需填写注册表');
    await shot(portal, '注册-律师');
    await portal.getByLabel(/社会公众/).check();
    await hasText(portal.locator('#register-public'), '暂不办理');
    expect(await portal.locator('#register-lawyer').count()).toBe(0);
    await shot(portal, '注册-社会公众');
    await portal.getByLabel(/我是执业律师/).check();
    await portal
      .locator('#register-lawyer')
      .getByRole('link', { name: '律师认证登录', exact: true })
      .click();
    await portal.waitForURL('**/login/scan');
    await hasAttribute(portal.locator('#login-qr'), 'data-status', 'PENDING');
    // Where to get the verifier: its address as a link and a QR (issue 15.17).
    await portal.getByText('还没有“中国律师身份核验”？').click();
    expect(await portal.locator('#verifier-url').getAttribute('href')).toBe(stack.urls.verifier);
    await visible(portal.getByRole('img', { name: '“中国律师身份核验”网址二维码' }));
    await shot(portal, '登录-核验工具指引');
  });

  it('replaces an expired login QR by itself', async () => {
    await portal.goto('/login/scan');
    const qr = portal.locator('#login-qr');
    await hasAttribute(qr, 'data-status', 'PENDING');
    const first = await qr.getAttribute('data-ticket');
    await shot(portal, '二维码-初始');
    await expect
      .poll(() => qr.getAttribute('data-ticket'), {
        timeout: (ticketSeconds + 10) * 1000,
        interval: 500,
      })
      .not.toBe(first);
    await hasAttribute(qr, 'data-status', 'PENDING');
    expect(Number(await qr.getAttribute('data-refreshed'))).toBeGreaterThanOrEqual(2);
    await shot(portal, '二维码-已自动刷新');
  });

  it('激活: a failed face check leads back to 登录 with the reason and what was typed (issue 19.4 step components)', async () => {
    const lawyer = demo.smsLawyer;
    await verifier.goto('/activate');
    await verifier.getByLabel('姓名', { exact: true }).fill(lawyer.name);
    await verifier.getByLabel('身份证号').fill(lawyer.idNumber);
    await verifier.getByLabel('执业证号').fill(lawyer.licenceNumber);
    await verifier.getByRole('button', { name: '登录', exact: true }).click();
    await visible(verifier.getByRole('heading', { name: '身份信息验证' }));
    // The development face service finds no face in a photo this small.
    await verifier
      .getByLabel('或上传本人照片')
      .setInputFiles({ name: 'face.png', mimeType: 'image/png', buffer: Buffer.from('tiny') });
    await visible(verifier.getByRole('heading', { name: '登录' }));
    await hasText(verifier.getByRole('alert'), '身份核验未通过');
    expect(await verifier.getByLabel('姓名', { exact: true }).inputValue()).toBe(lawyer.name);
    expect(await verifier.getByLabel('执业证号').inputValue()).toBe(lawyer.licenceNumber);
    expect(
      await verifier
        .getByRole('listitem')
        .filter({ hasText: '个人信息' })
        .getAttribute('aria-current'),
    ).toBe('step');
    await shot(verifier, '核验-人脸识别未通过');
  });

  it('sends an SMS-code session through the identity QR before 案件绑定申请', async () => {
    const lawyer = demo.smsLawyer;
    await activateVerifier(verifier, stack, lawyer, seen);
    // A portal account first (scan login, 授权信息, 完善信息), so the phone can log in by SMS.
    await portal.goto('/login/scan');
    await hasAttribute(portal.locator('#login-qr'), 'data-status', 'PENDING');
    await scanWithVerifier(verifier, portal.locator('#login-qr img.qr'));
    await verifier.getByRole('button', { name: '确认登录', exact: true }).click();
    await portal.waitForURL('**/consent');
    await portal.getByRole('button', { name: '同意', exact: true }).click();
    await portal.waitForURL('**/profile');
    // 完善信息 is prefilled with the verifier's bound phone (issue 15.10).
    await expect.poll(() => portal.getByLabel(/^手机号码/).inputValue()).toBe(lawyer.phone);
    await portal.getByRole('button', { name: '提交', exact: true }).click();
    await portal.waitForURL('**/center');
    await portal.getByRole('button', { name: '退出', exact: true }).click();
    await portal.waitForURL((url) => url.pathname === '/');

    await portal.goto('/login');
    // An unregistered number is not told apart: the answer says 如该号码已注册 (issue 15.15).
    await portal.getByLabel('手机号码', { exact: true }).fill('13912349999');
    await portal.getByRole('button', { name: '获取验证码', exact: true }).click();
    await hasText(
      portal.getByRole('status').first(),
      '如该号码（139****9999）已注册，验证码已发送',
    );
    await portal.reload();
    await portal.getByLabel('手机号码', { exact: true }).fill(lawyer.phone);
    await portal.getByRole('button', { name: '获取验证码', exact: true }).click();
    const sms = await waitForSms(stack, lawyer.phone, 'LOGIN_CODE', seen);
    await portal.getByLabel('短信验证码').fill(codeIn(sms.text));
    await shot(portal, '验证码登录');
    await portal.getByRole('button', { name: '登录', exact: true }).click();
    await portal.waitForURL('**/center');
    await hasText(portal.locator('dl.facts'), '未核验');
    await shot(portal, '个人中心-未核验');

    await portal.getByRole('link', { name: '案件绑定申请', exact: true }).first().click();
    await portal.getByRole('button', { name: '申请绑定', exact: true }).click();
    const dialog = portal.getByRole('dialog', { name: '律师身份核验' });
    await visible(dialog.locator('.step-up[data-status="PENDING"] img.qr'));
    await shot(portal, '身份核验二维码弹框');
    expect(new URL(portal.url()).pathname).toBe('/cases/bindings');
    await scanWithVerifier(verifier, dialog.locator('img.qr'));
    await hasText(verifier.locator('#confirm'), '案件绑定申请');
    await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
    await portal.waitForURL('**/cases/bindings/new');
    await visible(portal.getByRole('heading', { name: '案件绑定信息填写' }));
    await shot(portal, '核验后-案件绑定信息填写');
  });

  it('手机号+密码: says no password is set, 忘记密码 sets one after the SMS code and a scan, 个人中心 changes it (issue 15.6)', async () => {
    const lawyer = demo.smsLawyer;
    const logOut = async () => {
      await portal.getByRole('button', { name: '退出', exact: true }).click();
      await portal.waitForURL((url) => url.pathname === '/');
    };
    const passwordLogin = async (password: string) => {
      await portal.goto('/login');
      await portal.getByRole('tab', { name: '手机号+密码' }).click();
      await portal.getByLabel('手机号码', { exact: true }).fill(lawyer.phone);
      await portal.getByLabel('密码', { exact: true }).fill(password);
      await portal.getByRole('button', { name: '登录', exact: true }).click();
    };
    const scanStepUp = async () => {
      const dialog = portal.getByRole('dialog', { name: '律师身份核验' });
      await visible(dialog.locator('.step-up[data-status="PENDING"] img.qr'));
      await scanWithVerifier(verifier, dialog.locator('img.qr'));
      await hasText(verifier.locator('#confirm'), '设置登录密码');
      await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
    };
    await logOut();

    // No password yet: said so, and trying again and again locks nothing.
    for (let i = 0; i < 6; i++) {
      await passwordLogin(`Guess${i}2026`);
      await hasText(portal.getByRole('alert'), '未设置登录密码');
    }
    expect(await portal.getByRole('alert').textContent()).not.toContain('还可尝试');
    await shot(portal, '密码登录-未设置密码');

    // 忘记密码: the SMS code, then the new password, then the scan.
    await portal.getByRole('link', { name: '忘记密码？' }).click();
    await portal.waitForURL('**/password/reset');
    await visible(portal.getByRole('heading', { name: '重设登录密码' }));
    await portal.getByLabel('手机号码', { exact: true }).fill(lawyer.phone);
    await portal.getByRole('button', { name: '获取验证码', exact: true }).click();
    const sms = await waitForSms(stack, lawyer.phone, 'LOGIN_CODE', seen);
    await portal.getByLabel('短信验证码').fill(codeIn(sms.text));
    await shot(portal, '重设密码-验证码');
    await portal.getByRole('button', { name: '下一步', exact: true }).click();
    await portal.getByLabel('新密码', { exact: true }).fill('Lin2026pass');
    await portal.getByLabel('确认新密码').fill('Lin2026pasz');
    await portal.getByRole('button', { name: '保存新密码' }).click();
    await hasText(portal.getByRole('alert'), '两次输入的密码不一致');
    await portal.getByLabel('新密码', { exact: true }).fill('onlyletters');
    await portal.getByLabel('确认新密码').fill('onlyletters');
    await portal.getByRole('button', { name: '保存新密码' }).click();
    await hasText(portal.getByRole('alert'), '须同时包含字母和数字');
    await portal.getByLabel('新密码', { exact: true }).fill('Lin2026pass');
    await portal.getByLabel('确认新密码').fill('Lin2026pass');
    await portal.getByRole('button', { name: '保存新密码' }).click();
    await shot(portal, '重设密码-身份核验');
    await scanStepUp();
    await hasText(portal.getByRole('status'), '登录密码已设置');
    await shot(portal, '重设密码-完成');
    await portal.getByRole('link', { name: '进入个人中心' }).click();
    await hasText(portal.locator('section[aria-labelledby="password"]'), '已设置');
    await logOut();

    // The password logs in; a wrong one now counts.
    await passwordLogin('Lin2026wrong');
    await hasText(portal.getByRole('alert'), '还可尝试 4 次');
    await passwordLogin('Lin2026pass');
    await portal.waitForURL('**/center');
    await hasText(portal.locator('dl.facts'), '手机号+密码');

    // 修改登录密码 in 个人中心: a password session scans too.
    await portal.getByRole('button', { name: '修改登录密码' }).click();
    await portal.getByLabel('新密码', { exact: true }).fill('Lin2026next');
    await portal.getByLabel('确认新密码').fill('Lin2026next');
    await portal.getByRole('button', { name: '保存密码' }).click();
    await scanStepUp();
    await hasText(portal.getByRole('status'), '登录密码已保存');
    await shot(portal, '个人中心-修改密码');
    await logOut();
    await passwordLogin('Lin2026pass');
    await hasText(portal.getByRole('alert'), '账号或密码不正确');
    await passwordLogin('Lin2026next');
    await portal.waitForURL('**/center');
  });

  it('fits a phone-width screen: no page scrolls sideways', async () => {
    await portal.setViewportSize({ width: 360, height: 780 });
    for (const [path, name] of [
      ['/center', '个人中心'],
      ['/cases/bindings', '案件绑定申请'],
      ['/cases/bindings/new', '案件绑定信息填写'],
      ['/appointments', '辩护与代理网上预约'],
      ['/notifications', '消息通知'],
    ] as const) {
      await portal.goto(path);
      await visible(portal.getByRole('heading', { name, exact: true }));
      await portal.waitForLoadState('networkidle');
      await visible(
        portal.getByRole('link', { name: '退出' }).or(portal.getByRole('button', { name: '退出' })),
      );
      await shot(portal, `手机宽度-${name}`);
      expect(
        await portal.evaluate(() => document.documentElement.scrollWidth),
        path,
      ).toBeLessThanOrEqual(360);
    }
  });
});
