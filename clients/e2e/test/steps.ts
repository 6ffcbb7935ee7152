// Steps the journeys share: activating the verifier, scanning a QR shown in another browser,
// logging in to the console.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { showNothing, showQr } from '../src/camera.ts';
import { codeIn, waitForSms } from '../src/sms.ts';
import type { ClientStack } from '../src/stack.ts';

type Shot = (page: Page, name: string) => Promise<void>;

/** Flow 1 on the verifier: 登录 → 身份信息验证 (fake camera) → 手机号码绑定 → 首页. */
export async function activateVerifier(
  page: Page,
  stack: ClientStack,
  lawyer: { name: string; idNumber: string; licenceNumber: string; phone: string },
  seen: Set<string>,
  shot?: Shot,
) {
  await page.goto('/');
  await page.waitForURL('**/activate');
  await page.getByLabel('姓名', { exact: true }).fill(lawyer.name);
  await page.getByLabel('身份证号').fill(lawyer.idNumber);
  await page.getByLabel('执业证号').fill(lawyer.licenceNumber);
  await shot?.(page, '核验-个人信息');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('heading', { name: '身份信息验证' }).waitFor();
  await page.getByRole('button', { name: '开启摄像头', exact: true }).click();
  await page.locator('video').waitFor();
  await page.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0);
  await shot?.(page, '核验-人脸识别');
  await page.getByRole('button', { name: '拍照验证', exact: true }).click();
  await page.getByRole('heading', { name: '手机号码绑定' }).waitFor();
  await page.getByLabel('手机号码', { exact: true }).fill(lawyer.phone);
  await page.getByRole('button', { name: '获取验证码', exact: true }).click();
  const sms = await waitForSms(stack, lawyer.phone, 'BINDING_PHONE_CODE', seen);
  await page.getByLabel('短信验证码').fill(codeIn(sms.text));
  await shot?.(page, '核验-手机号码绑定');
  await page.getByRole('button', { name: '绑定', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** Takes a picture of the QR on the other screen and gives it to 扫一扫 as a photo (jsQR decodes it). */
export async function scanWithVerifier(page: Page, qr: Locator) {
  await qr.waitFor();
  const picture = await qr.screenshot();
  await page.goto('/scan');
  await page
    .getByLabel('从相册选择二维码图片')
    .setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: picture });
  await page.locator('#confirm').waitFor();
}

/**
 * 扫一扫 with the camera: the verifier's fake camera (camera.ts) is shown the QR of `payload`
 * (what the portal's QR encodes), jsQR reads it from the video frames; afterwards the camera
 * sees nothing again, so a later visit to 扫一扫 reads no stale code.
 */
export async function scanWithCamera(page: Page, cameraFile: string, payload: string) {
  showQr(cameraFile, payload);
  try {
    await page.goto('/scan');
    // No photo is given, so only the camera can bring the confirmation. (Waiting for the
    // <video> first raced it: jsQR can read the first frames and leave the page before then.)
    await page.locator('#confirm').waitFor();
  } finally {
    showNothing(cameraFile);
  }
}

/** 检察人员登录 with the SMS code from the inbox. */
export async function loginConsole(
  page: Page,
  stack: ClientStack,
  account: { username: string; password: string; phone: string },
  seen: Set<string>,
  shot?: Shot,
  role: '检察人员' | '管理员' = '检察人员',
) {
  await page.goto('/login');
  await page.getByRole('radio', { name: role, exact: true }).check();
  await page.getByLabel('用户名', { exact: true }).fill(account.username);
  await page.getByLabel('密码', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: '获取验证码', exact: true }).click();
  // Administrators' codes go out as plain login codes.
  const kind = role === '管理员' ? 'LOGIN_CODE' : 'PROSECUTOR_LOGIN_CODE';
  const sms = await waitForSms(stack, account.phone, kind, seen);
  await page.getByLabel('短信验证码').fill(codeIn(sms.text));
  await shot?.(page, '工作台-登录');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).not.toBe('/login');
}
