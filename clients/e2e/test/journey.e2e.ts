// The manual in one run, with three browsers: the verifier (a phone), the portal and the
// console. Flows 1 to 6: activation, first scan login through 授权信息 and 完善信息, binding
// with an attachment, approval seen live, online reading with the notice, volumes, publishing,
// passwords from the SMS inbox, download through receipt, step-up and password, then the zip
// unpacked and a volume opened with the document password.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testMongoUri } from '@yuejuan/runtime/testing';
import {
  artifactsDir,
  journeyContexts,
  launchChromium,
  screenshots,
  watchOperations,
  watchProblems,
  type SentOperation,
} from '../src/browser.ts';
import { showNothing } from '../src/camera.ts';
import { demoDir } from '@yuejuan/ops';
import { makePdf, openPdf, unzip } from '../src/files.ts';
import { codeIn, passwordIn, waitForSms } from '../src/sms.ts';
import { attachedStack, demo, startClientStack, type ClientStack } from '../src/stack.ts';
import { hasAttribute, hasCount, hasText, visible } from '../src/wait.ts';
import { activateVerifier, loginConsole, scanWithCamera, scanWithVerifier } from './steps.ts';

/** What Tesseract reads on the bottom strip of an element as shown on screen (the watermark's foot line), spaces removed. */
async function readFoot(page: Page, element: Locator): Promise<string> {
  // The foot in view (a clip is of the viewport).
  await element.evaluate((el) => el.scrollIntoView({ block: 'end' }));
  const box = (await element.boundingBox())!;
  const file = join(dir, `foot-${Date.now()}.png`);
  await page.screenshot({
    path: file,
    clip: { x: box.x, y: box.y + box.height * 0.955, width: box.width, height: box.height * 0.045 },
  });
  const { stdout } = await promisify(execFile)('tesseract', [
    file,
    '-',
    '-l',
    'chi_sim',
    '--psm',
    '7',
  ]);
  return stdout.replace(/\s+/g, '');
}

/** The mean grey (0 black … 255 white) of a region (fractions) of an image as the browser decoded it. */
function meanGrey(
  image: Locator,
  r: { x: number; y: number; width: number; height: number },
): Promise<number> {
  return image.evaluate((img: HTMLImageElement, r) => {
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(
      Math.round(r.x * img.naturalWidth),
      Math.round(r.y * img.naturalHeight),
      Math.round(r.width * img.naturalWidth),
      Math.round(r.height * img.naturalHeight),
    ).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += (d[i]! + d[i + 1]! + d[i + 2]!) / 3;
    return sum / (d.length / 4);
  }, r);
}

let stack: ClientStack;
let browser: Browser;
let phoneBrowser: Browser;
let cameraFile: string;
let contexts: Record<'verifier' | 'portal' | 'console', BrowserContext>;
let verifier: Page;
let portal: Page;
let staff: Page;
let dir: string;
let shot: ReturnType<typeof screenshots>;
/** A link of the portal's 主菜单 (a page may link to the same place in its own content). */
const menu = (page: Page, name: string) =>
  page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name, exact: true });

const problems: string[] = [];
const sent: SentOperation[] = [];
const seen = new Set<string>();

beforeAll(async () => {
  // The gateway as in production: only persisted operations (the manifest, by hash), so every
  // page of the journey proves its operations are in clients/operations/persisted-operations.json.
  // (Or the production cluster its chaos test started: infra/cluster.)
  stack =
    attachedStack() ??
    (await startClientStack({
      label: 'journey',
      mongoUri: testMongoUri(),
      gatewayEnv: { YUEJUAN_PERSISTED_ONLY: 'true' },
    }));
  dir = artifactsDir('journey');
  // The verifier's own browser: its fake camera plays a file the test writes (camera.ts).
  cameraFile = join(dir, 'camera.y4m');
  showNothing(cameraFile);
  [browser, phoneBrowser] = await Promise.all([launchChromium(), launchChromium(cameraFile)]);
  contexts = await journeyContexts(browser, stack.urls, phoneBrowser);
  for (const [label, c] of Object.entries(contexts)) {
    watchProblems(c, label, problems);
    watchOperations(c, label, sent);
  }
  for (const c of Object.values(contexts)) c.setDefaultTimeout(15_000);
  [verifier, portal, staff] = await Promise.all([
    contexts.verifier.newPage(),
    contexts.portal.newPage(),
    contexts.console.newPage(),
  ]);
  shot = screenshots(dir);
});

// One journey: once a step fails, the later ones cannot mean anything.
let broken = false;
beforeEach((ctx) => {
  if (broken) ctx.skip();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  broken = true;
  for (const [name, page] of [
    ['核验', verifier],
    ['门户', portal],
    ['工作台', staff],
  ] as const)
    await shot(page, `失败-${name}`).catch(() => undefined);
});

afterAll(async () => {
  if (problems.length) console.log(`[e2e] 浏览器报告的问题：\n${problems.join('\n')}`);
  await browser?.close();
  await phoneBrowser?.close();
  await stack?.stop();
});

/** The passwords of a package just built, from the SMS the lawyer received. */
async function receivePasswords() {
  const ready = await waitForSms(stack, demo.lawyer.phone, 'PACKAGE_READY', seen, 30_000);
  const documentSms = await waitForSms(stack, demo.lawyer.phone, 'DOCUMENT_PASSWORD', seen, 30_000);
  journeyState.downloadPassword = passwordIn(ready.text, '卷宗下载密码');
  journeyState.documentPassword = passwordIn(documentSms.text, '文档打开密码');
}

describe('the lawyer online-reading journey', () => {
  it('activates the verifier: personal info, face with the camera, phone binding', async () => {
    await activateVerifier(verifier, stack, demo.lawyer, seen, shot);
    await visible(verifier.getByRole('link', { name: '扫一扫', exact: true }));
    await shot(verifier, '核验-首页');
  });

  it('logs in by scanning: live QR status, 授权信息, 完善信息, 个人中心', async () => {
    await portal.goto('/');
    await shot(portal, '门户-首页');
    await portal.getByRole('link', { name: '登录', exact: true }).first().click();
    await portal.getByRole('link', { name: '律师认证登录', exact: true }).click();
    await portal.locator('#login-qr[data-status="PENDING"]').waitFor();
    await shot(portal, '门户-律师身份核验扫码');

    // 扫一扫 with the camera: the phone's camera sees the QR the portal shows.
    const payload = await portal.locator('#login-qr').getAttribute('data-qr-payload');
    expect(payload).toBeTruthy();
    await scanWithCamera(verifier, cameraFile, payload!);
    await hasText(verifier.locator('#confirm'), '12309中国检察网');
    await shot(verifier, '核验-确认登录');
    // The portal follows the ticket live: scanned, before anyone reloads it.
    await portal.locator('#login-qr[data-status="SCANNED"]').waitFor();
    await shot(portal, '门户-已扫码');
    await verifier.getByRole('button', { name: '确认登录', exact: true }).click();
    await hasText(verifier.locator('#outcome'), '登录成功');

    await portal.waitForURL('**/consent');
    await visible(portal.getByRole('heading', { name: '授权信息' }));
    await hasText(portal.locator('dl.facts'), demo.lawyer.licenceNumber);
    await shot(portal, '门户-授权信息');
    await portal.getByRole('button', { name: '同意', exact: true }).click();
    await portal.waitForURL('**/profile');
    await shot(portal, '门户-完善信息');
    await portal.getByLabel(/^手机号码/).fill(demo.lawyer.phone);
    await portal.getByLabel('电子邮箱（选填）').fill('chen@example.cn');
    await portal.getByRole('button', { name: '提交', exact: true }).click();
    await portal.waitForURL('**/center');
    await visible(portal.getByRole('heading', { name: '个人中心' }));
    await hasText(portal.locator('dl.facts'), '已核验');
    await shot(portal, '门户-个人中心');
  });

  it('applies to bind a case with an attachment; the approval shows live', async () => {
    await portal.getByRole('link', { name: '案件绑定申请', exact: true }).first().click();
    await portal.getByRole('button', { name: '申请绑定', exact: true }).click();
    await portal.waitForURL('**/cases/bindings/new');
    await portal.getByLabel('受理检察院').selectOption(demo.procuratorate.id);
    await portal.getByLabel('部门受案号').fill(demo.case.departmentCaseNumber);
    await portal.getByRole('button', { name: '查询案件', exact: true }).click();
    await visible(portal.getByText(`案件：${demo.case.caseName}`));
    await portal.getByLabel('犯罪嫌疑人/被告人姓名').fill(demo.case.suspect);
    await portal.getByLabel('委托人', { exact: true }).fill(demo.case.suspect);
    for (const [kind, fileName] of [
      ['POWER_OF_ATTORNEY', '授权委托书.pdf'],
      ['LAW_FIRM_LETTER', '律师事务所函.pdf'],
      ['LICENCE', '律师执业证.pdf'],
    ]) {
      await portal.getByLabel('材料类型').selectOption(kind!);
      await portal.getByLabel('选择文件').setInputFiles({
        name: fileName!,
        mimeType: 'application/pdf',
        buffer: await makePdf(kind!, 1),
      });
      await portal.locator(`[data-upload="${fileName}"][data-done="true"]`).waitFor();
    }
    await shot(portal, '门户-案件绑定信息填写');
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await visible(portal.getByRole('dialog', { name: '保存成功' }));
    await shot(portal, '门户-保存成功');
    await portal.getByRole('dialog').getByRole('button', { name: '确定', exact: true }).click();
    await portal.waitForURL('**/cases/bindings');
    const row = portal.locator('tr[data-status]').first();
    await hasAttribute(row, 'data-status', 'SUBMITTED');
    // A marker on this very page: still there after the status changes means nothing reloaded it.
    await portal.evaluate(() => {
      (window as unknown as { journeyMarker: string }).journeyMarker = 'binding';
    });

    await loginConsole(staff, stack, demo.prosecutor, seen, shot);
    await staff.getByRole('link', { name: '案件绑定申请审核', exact: true }).click();
    await hasText(staff.locator('article').first(), demo.lawyer.name);
    await hasText(staff.locator('article').first(), '授权委托书.pdf');
    await shot(staff, '工作台-案件绑定申请审核');
    await staff.getByRole('button', { name: '通过', exact: true }).first().click();
    await visible(staff.getByText(/已通过：/));

    // No reload: the subscription moves the row.
    await hasAttribute(row, 'data-status', 'APPROVED', 15_000);
    expect(
      await portal.evaluate(() => (window as unknown as { journeyMarker?: string }).journeyMarker),
    ).toBe('binding');
    await shot(portal, '门户-绑定已通过');
    const sms = await waitForSms(stack, demo.lawyer.phone, 'BINDING_APPROVED', seen);
    expect(sms.text).toContain('案件绑定申请已审核通过');
  });

  it('applies for online reading through the notice; the prosecutor approves', async () => {
    await portal.getByRole('link', { name: '已绑定案件', exact: true }).click();
    await portal.getByRole('button', { name: '申请在线阅卷', exact: true }).first().click();
    const dialog = portal.getByRole('dialog', { name: '申请在线阅卷须知' });
    expect(await dialog.getByRole('button', { name: '确定', exact: true }).isDisabled()).toBe(true);
    await dialog.getByLabel('我已阅读以上条款').check();
    await shot(portal, '门户-申请在线阅卷须知');
    await dialog.getByRole('button', { name: '确定', exact: true }).click();
    await visible(portal.getByRole('dialog', { name: '提交成功' }));
    await shot(portal, '门户-提交成功');
    await portal
      .getByRole('dialog', { name: '提交成功' })
      .getByRole('button', { name: '确定', exact: true })
      .click();
    await visible(portal.locator('tr[data-reading-status="SUBMITTED"]'));
    await portal.evaluate(() => {
      (window as unknown as { journeyMarker: string }).journeyMarker = 'reading';
    });

    await staff.getByRole('link', { name: '在线阅卷申请审核', exact: true }).click();
    await hasText(staff.locator('article').first(), demo.case.caseName);
    await shot(staff, '工作台-在线阅卷申请审核');
    await staff.getByRole('button', { name: '通过', exact: true }).first().click();
    await visible(staff.getByText(/已通过：/));
    await visible(portal.locator(`tr[data-reading-status="APPROVED"]`), 15_000);
    // Live through the subscription: the page that showed 已提交 is the one showing 已通过.
    expect(
      await portal.evaluate(() => (window as unknown as { journeyMarker?: string }).journeyMarker),
    ).toBe('reading');
    // Before the prosecutor has started anything, 我的预约 does not claim 制作中 (issue 15).
    await menu(portal, '辩护与代理网上预约').click();
    const appointmentRow = portal.locator('tr[data-appointment]').first();
    await hasText(appointmentRow, '待检察院制作');
    expect(await appointmentRow.innerText()).not.toContain('制作中');
  });

  it('uploads volumes and publishes the package; the passwords arrive by SMS', async () => {
    await staff.getByRole('link', { name: '案件与卷宗', exact: true }).click();
    await staff.getByRole('link', { name: demo.case.departmentCaseNumber, exact: true }).click();
    // The demo's sample volumes (infra/ops/demo/volumes): typeset pages and a scanned one (issue 15.17).
    await staff
      .getByLabel('选择卷宗文件（可多选）')
      .setInputFiles(
        ['第1卷 诉讼文书.pdf', '第2卷 证据材料.pdf'].map((name) => join(demoDir, 'volumes', name)),
      );
    await staff.locator('[data-upload="第1卷 诉讼文书.pdf"][data-done="true"]').waitFor();
    await staff.locator('[data-upload="第2卷 证据材料.pdf"][data-done="true"]').waitFor();
    await hasCount(staff.locator('li[data-volume]'), 2);
    await shot(staff, '工作台-卷宗上传');

    await staff.getByRole('link', { name: '卷宗制作与下载审计', exact: true }).click();
    await staff.getByRole('button', { name: '制作并发布卷宗', exact: true }).first().click();
    await staff.locator('article[data-package-status="READY"]').waitFor({ timeout: 60_000 });
    // The 正在制作 banner gives way once the package is ready (issue 15).
    await visible(staff.getByText('卷宗已制作完成'));
    expect(await staff.getByText('卷宗正在制作').count()).toBe(0);
    await shot(staff, '工作台-卷宗已发布');

    await receivePasswords();
    if (stack.devSmsInbox) {
      await verifier.goto('/dev/sms');
      await visible(verifier.locator('li.sms[data-kind="PACKAGE_READY"]').first());
      await shot(verifier, '开发短信收件箱');
    }
  });

  it('downloads through receipt, identity scan and password; the volume opens with the document password', async () => {
    await menu(portal, '辩护与代理网上预约').click();
    await portal.getByRole('link', { name: '卷宗下载', exact: true }).first().click();
    await visible(portal.getByRole('heading', { name: '确认回执' }));
    await shot(portal, '门户-确认回执');
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await portal.locator('#verify .step-up[data-status="PENDING"]').waitFor();
    await shot(portal, '门户-律师身份核验');
    await scanWithVerifier(verifier, portal.locator('#verify img.qr'));
    await hasText(verifier.locator('#confirm[data-kind="STEP_UP"]'), '卷宗下载');
    await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
    await hasText(verifier.locator('#outcome'), '身份核验通过');

    await portal.getByLabel('请输入短信中的卷宗下载密码').waitFor();
    await portal.getByLabel('请输入短信中的卷宗下载密码').fill('Wrong-pass-1');
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await hasText(portal.getByRole('alert'), '下载密码错误');
    await shot(portal, '门户-下载密码错误');

    await portal.getByLabel('请输入短信中的卷宗下载密码').fill(journeyState.downloadPassword);
    // The browser's own download manager fetches the URL (a navigation, not the page's memory).
    const [download] = await Promise.all([
      portal.waitForEvent('download'),
      portal.getByRole('button', { name: '确定', exact: true }).click(),
    ]);
    await portal.locator('#download-done').waitFor();
    await shot(portal, '门户-卷宗已下载');
    expect(new URL(download.url()).pathname).toMatch(/^\/downloads\/[^/]+$/);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(await download.failure()).toBeNull();
    const fileName = (await portal.locator('#download-file-name').innerText()).trim();
    const sha = (await portal.locator('#download-sha256').innerText()).trim();
    expect(download.suggestedFilename()).toBe(fileName);
    const zip = readFileSync(saved);
    expect(createHash('sha256').update(zip).digest('hex')).toBe(sha);
    await hasText(portal.locator('#download-size'), `${statSync(saved).size} 字节`);
    await hasText(portal.locator('#download-done'), 'certutil -hashfile');
    await hasText(portal.locator('#download-done'), '卷宗文档打开密码');

    const entries = await unzip(zip);
    const volumes = [...entries.keys()].filter((n) => n.endsWith('.pdf'));
    expect(volumes.length).toBe(2);
    const pages: number[] = [];
    for (const name of volumes.sort()) {
      const volume = entries.get(name)!;
      writeFileSync(join(dir, name.replace(/[\\/]/g, '_')), volume);
      await expect(openPdf(volume)).rejects.toThrow();
      pages.push(await openPdf(volume, journeyState.documentPassword));
    }
    // Both volumes open with the document password (their order is the upload's arrival order).
    expect(pages.sort()).toEqual([3, 3]);

    await staff.reload();
    await hasText(
      staff.locator('article[data-package-status="READY"] table[aria-label="下载记录"]'),
      demo.lawyer.name,
    );
    await shot(staff, '工作台-下载审计');
  });

  it('reads the case file online (issue 18): identity scan, watermarked pages, keyboard, search with OCR, private notes, a phone layout, and the prosecutor sees who read what', async () => {
    await menu(portal, '辩护与代理网上预约').click();
    await portal.getByRole('link', { name: '在线阅卷', exact: true }).first().click();
    await visible(portal.getByRole('heading', { name: '在线阅卷', exact: true }));
    await shot(portal, '门户-在线阅卷-开始');
    await portal.getByRole('button', { name: '开始阅卷', exact: true }).click();
    // Every opening needs a fresh identity scan, even in a scan-login session (as download does).
    const dialog = portal.getByRole('dialog', { name: '律师身份核验' });
    await scanWithVerifier(verifier, dialog.locator('.step-up[data-status="PENDING"] img.qr'));
    await hasText(verifier.locator('#confirm[data-kind="STEP_UP"]'), '在线阅卷');
    await verifier.getByRole('button', { name: '确认核验', exact: true }).click();

    const frame = portal.locator('.page-frame');
    /** Waits until the page image on screen is page `n` of the volume chosen. */
    const shows = (n: number) =>
      expect
        .poll(
          async () =>
            (await frame.getAttribute('data-shown')) === (await frame.getAttribute('data-current'))
              ? await frame.getAttribute('data-shown')
              : null,
          { timeout: 15_000, interval: 200 },
        )
        .toMatch(new RegExp(`:${n}$`));
    await shows(1);
    const image = portal.locator('#reader-page-image');
    await shot(portal, '门户-在线阅卷');

    // The watermark as the lawyer sees it: the page image on screen, its foot line read by OCR.
    const seen = await readFoot(portal, image);
    expect(seen).toContain(demo.lawyer.licenceNumber);
    expect(seen).toContain('仅供本案阅卷使用');

    // Keyboard: → next page, End last page, Home first.
    await portal.locator('body').press('ArrowRight');
    await shows(2);
    await portal.locator('body').press('End');
    await shows(3);
    await portal.locator('body').press('Home');
    await shows(1);

    // 目录: volumes and thumbnails.
    await portal.getByRole('button', { name: '目录', exact: true }).click();
    const toc = portal.getByRole('navigation', { name: '卷宗目录' });
    await visible(toc.getByRole('button', { name: /第2卷 证据材料/ }));
    await visible(toc.locator('img[src^="blob:"]').first());
    await shot(portal, '门户-在线阅卷-目录');

    // 全文检索: a phrase only on the scanned page of 第2卷 (found by OCR), marked on the page.
    await portal.getByRole('button', { name: '全文检索', exact: true }).click();
    await portal.getByLabel('检索词').fill('投资交流群');
    await portal.getByRole('button', { name: '检索', exact: true }).click();
    await hasText(portal.locator('#search-count'), '共找到 1 处');
    await hasText(portal.locator('.hits'), '第2卷 证据材料 · 第 3 页（扫描件识别）');
    await portal.locator('.hits button').first().click();
    await shows(3);
    await visible(frame.locator('.hit-box').first());
    await hasText(portal.locator('#reader-volume option:checked'), '第2卷 证据材料');
    await shot(portal, '门户-在线阅卷-检索');
    await portal.getByLabel('检索词').fill('诈骗');
    await portal.getByRole('button', { name: '检索', exact: true }).click();
    await expect
      .poll(() => portal.locator('.hits li').count(), { timeout: 15_000 })
      .toBeGreaterThan(3);

    // 笔记: a note on this page, with a region, listed and exported.
    await portal.getByRole('button', { name: /^笔记/ }).click();
    await portal.getByLabel(/^内容/).fill('被害人陈述与银行明细金额一致');
    await portal.getByRole('button', { name: '框选页面区域', exact: true }).click();
    const box = (await frame.boundingBox())!;
    await portal.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await portal.mouse.down();
    await portal.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.3, { steps: 5 });
    await portal.mouse.up();
    await visible(frame.locator('.select-box'));
    await portal.getByRole('button', { name: '保存笔记', exact: true }).click();
    await hasText(portal.locator('#reader-notes'), '被害人陈述与银行明细金额一致');
    await visible(frame.locator('.note-box'));
    await shot(portal, '门户-在线阅卷-笔记');
    const [exported] = await Promise.all([
      portal.waitForEvent('download'),
      portal.getByRole('button', { name: '导出笔记（Markdown）', exact: true }).click(),
    ]);
    const markdown = readFileSync(await exported.path(), 'utf8');
    expect(markdown).toContain('## 第2卷 证据材料');
    expect(markdown).toContain('- 第 3 页：被害人陈述与银行明细金额一致');

    // A phone: the tools wrap, the page fits the screen's width, nothing scrolls sideways.
    await portal.setViewportSize({ width: 390, height: 844 });
    await portal.getByRole('button', { name: /^笔记/ }).click(); // closes the panel
    await portal.getByRole('button', { name: '上一页', exact: true }).click();
    await shows(2);
    expect(await portal.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      392,
    );
    await shot(portal, '门户-在线阅卷-手机');
    // A finger's swipe to the left turns to the next page, to the right back.
    const swipe = (dx: number) =>
      frame.evaluate((el, dx) => {
        const r = el.getBoundingClientRect();
        const at = (x: number) => ({
          pointerType: 'touch',
          pointerId: 7,
          bubbles: true,
          clientX: x,
          clientY: r.top + r.height / 2,
        });
        const x0 = r.left + r.width / 2;
        el.dispatchEvent(new PointerEvent('pointerdown', at(x0)));
        el.dispatchEvent(new PointerEvent('pointerup', at(x0 + dx)));
      }, dx);
    await swipe(-120);
    await shows(3);
    await swipe(120);
    await shows(2);
    await portal.setViewportSize({ width: 1280, height: 900 });
    // 跳转 to a page, and zoom: the page grows past the screen's width and back.
    await portal.getByLabel('第', { exact: true }).fill('3');
    await portal.getByRole('button', { name: '跳转', exact: true }).click();
    await shows(3);
    const fitted = (await frame.boundingBox())!.width;
    await portal.getByRole('button', { name: '放大', exact: true }).click();
    await expect.poll(async () => (await frame.boundingBox())!.width).toBeGreaterThan(fitted * 1.2);
    await portal.getByRole('button', { name: '适合宽度', exact: true }).click();
    await expect
      .poll(async () => Math.round((await frame.boundingBox())!.width))
      .toBe(Math.round(fitted));

    // The page images came from /reader/…; without the session's token they are refused.
    const refused = await portal.evaluate(async () => {
      const url = performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .find((n) => new URL(n).pathname.startsWith('/reader/'));
      return url ? (await fetch(url)).status : null;
    });
    expect(refused).toBe(401);

    // The prosecutor's package card: who read which volume, how many pages.
    await staff.reload();
    const activity = staff.locator(
      'article[data-package-status="READY"] table[aria-label="在线阅卷记录"]',
    );
    await hasText(activity, demo.lawyer.name);
    await hasText(activity, '第2卷 证据材料');
    await shot(staff, '工作台-在线阅卷记录');
  });

  it('补充卷宗 (issue 18): the prosecutor adds a volume to the published case file; the lawyer is told what was added and the reader marks it', async () => {
    await staff.getByRole('link', { name: '案件与卷宗', exact: true }).click();
    await staff.getByRole('link', { name: demo.case.departmentCaseNumber, exact: true }).click();
    await staff.getByLabel('选择卷宗文件（可多选）').setInputFiles({
      name: '第3卷 补充侦查材料.pdf',
      mimeType: 'application/pdf',
      buffer: await makePdf('Supplementary investigation', 2),
    });
    await staff.locator('[data-upload="第3卷 补充侦查材料.pdf"][data-done="true"]').waitFor();

    // 遮蔽 before publishing: a region of page 1 (its only line of text), with a reason; the
    // preview shows it black, as the lawyer will see it.
    await staff.getByRole('link', { name: '遮蔽与预览 第3卷 补充侦查材料' }).click();
    await visible(staff.getByRole('heading', { name: '卷宗遮蔽：第3卷 补充侦查材料' }));
    const preview = staff.locator('#redact-preview');
    await visible(preview);
    const marking = staff.locator('.frame');
    const area = (await marking.boundingBox())!;
    await staff.mouse.move(area.x + area.width * 0.06, area.y + area.height * 0.06);
    await staff.mouse.down();
    await staff.mouse.move(area.x + area.width * 0.9, area.y + area.height * 0.12, { steps: 5 });
    await staff.mouse.up();
    await staff.getByLabel('遮蔽类别').selectOption({ label: '被害人、证人个人信息' });
    await staff.getByLabel('遮蔽理由').fill('证人姓名');
    const before = await marking.getAttribute('data-shown');
    await staff.getByRole('button', { name: '遮蔽所选区域', exact: true }).click();
    await hasText(staff.getByRole('table', { name: '遮蔽记录' }), '证人姓名');
    await hasText(staff.getByRole('table', { name: '遮蔽记录' }), demo.prosecutor.name);
    await expect.poll(() => marking.getAttribute('data-shown')).not.toBe(before);
    expect(await meanGrey(preview, { x: 0.1, y: 0.075, width: 0.7, height: 0.03 })).toBeLessThan(
      70,
    );
    await shot(staff, '工作台-卷宗遮蔽');
    await staff.getByRole('link', { name: '卷宗制作与下载审计', exact: true }).click();
    staff.once('dialog', (d) => void d.accept());
    await staff.getByRole('button', { name: '发布补充卷宗', exact: true }).first().click();
    const card = staff.locator('article[data-package-status="READY"]').first();
    await hasText(card, '第3卷 补充侦查材料', 60_000);
    await shot(staff, '工作台-补充卷宗');

    // The lawyer is told what was added; new passwords follow, as for any build.
    const told = await waitForSms(stack, demo.lawyer.phone, 'PACKAGE_SUPPLEMENTED', seen, 30_000);
    expect(told.text).toContain('第3卷 补充侦查材料（2页）');
    await receivePasswords();
    await portal.getByRole('link', { name: /^消息通知/ }).click();
    await hasText(portal.locator('main'), '卷宗已补充');
    await hasText(portal.locator('main'), '第3卷 补充侦查材料');

    // The reader opens again (the rebuilt case file) and marks the added volume.
    await menu(portal, '辩护与代理网上预约').click();
    await portal.getByRole('link', { name: '在线阅卷', exact: true }).first().click();
    await portal.getByRole('button', { name: '开始阅卷', exact: true }).click();
    const dialog = portal.getByRole('dialog', { name: '律师身份核验' });
    await scanWithVerifier(verifier, dialog.locator('.step-up[data-status="PENDING"] img.qr'));
    await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
    await visible(portal.locator('#reader-page-image'));
    await portal
      .getByLabel('卷', { exact: true })
      .selectOption({ label: '第3卷 补充侦查材料（补充）' });
    await hasText(portal.locator('#supplement-note'), '本卷为补充卷宗');
    const frame = portal.locator('.page-frame');
    await expect
      .poll(
        async () =>
          (await frame.getAttribute('data-shown')) === (await frame.getAttribute('data-current')),
        { timeout: 15_000 },
      )
      .toBe(true);
    expect(await portal.locator('#reader-page-image').getAttribute('class')).not.toContain('stale');
    // The marked line is black in the lawyer's page too.
    expect(
      await meanGrey(portal.locator('#reader-page-image'), {
        x: 0.1,
        y: 0.075,
        width: 0.7,
        height: 0.03,
      }),
    ).toBeLessThan(90);
    await shot(portal, '门户-在线阅卷-补充卷宗');
  });

  it('named every operation by its persisted hash, over HTTP and the socket, in all three apps', () => {
    const apps = new Set(sent.map((o) => o.app));
    expect(apps).toEqual(new Set(['verifier', 'portal', 'console']));
    expect(sent.filter((o) => o.transport === 'ws').length).toBeGreaterThan(3);
    const byText = sent.filter((o) => !o.hash || o.query);
    expect(byText.map((o) => `${o.app} ${o.transport} ${o.operationName}`)).toEqual([]);
  });

  it('locks the download after too many wrong passwords, and says so', async () => {
    await menu(portal, '辩护与代理网上预约').click();
    await portal.getByRole('link', { name: '卷宗下载', exact: true }).first().click();
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    // The first download spent the step-up: the identity QR comes again.
    await portal.locator('#verify .step-up[data-status="PENDING"]').waitFor();
    await scanWithVerifier(verifier, portal.locator('#verify img.qr'));
    await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
    const box = portal.getByLabel('请输入短信中的卷宗下载密码');
    for (let left = 4; left >= 1; left--) {
      await box.fill(`Wrong-pass-${left}`);
      await portal.getByRole('button', { name: '确定', exact: true }).click();
      await hasText(portal.locator('#password-error'), `还可尝试 ${left} 次`);
    }
    await box.fill('Wrong-pass-0');
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await hasText(portal.locator('#password-error'), '下载密码错误次数过多');
    await shot(portal, '门户-下载已锁定');
    // Locked: even the right password is refused now.
    await box.fill(journeyState.downloadPassword);
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await hasText(portal.locator('#password-error'), '下载密码错误次数过多');
  });

  it('lost the SMS: new passwords after the identity scan replace the old ones, and download (issue 15)', async () => {
    // Still on the password step, with the scan of the step before: 重新获取密码.
    portal.once('dialog', (d) => void d.accept());
    await portal.getByRole('button', { name: '重新获取密码', exact: true }).click();
    await visible(portal.locator('#passwords-reissued'));
    await shot(portal, '门户-重新获取密码');
    const ready = await waitForSms(stack, demo.lawyer.phone, 'PACKAGE_READY', seen, 60_000);
    const fresh = passwordIn(ready.text, '卷宗下载密码');
    expect(fresh).not.toBe(journeyState.downloadPassword);

    await menu(portal, '辩护与代理网上预约').click();
    await portal.getByRole('link', { name: '卷宗下载', exact: true }).first().click();
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await portal.locator('#verify .step-up[data-status="PENDING"]').waitFor();
    await scanWithVerifier(verifier, portal.locator('#verify img.qr'));
    await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
    const box = portal.getByLabel('请输入短信中的卷宗下载密码');
    // The old password is dead (and the lock went with it).
    await box.fill(journeyState.downloadPassword);
    await portal.getByRole('button', { name: '确定', exact: true }).click();
    await hasText(portal.locator('#password-error'), '下载密码错误');
    await box.fill(fresh);
    journeyState.downloadPassword = fresh;
    const [download] = await Promise.all([
      portal.waitForEvent('download'),
      portal.getByRole('button', { name: '确定', exact: true }).click(),
    ]);
    await portal.locator('#download-done').waitFor();
    expect(await download.failure()).toBeNull();
  });

  it('撤回卷宗 with a reason reaches the lawyer, who may apply again; 重新制作 issues new passwords and the appointment opens again (issue 15.4)', async () => {
    const reason = '卷宗第2卷扫描不清，重新制作';
    await staff.getByRole('link', { name: '卷宗制作与下载审计', exact: true }).click();
    await staff.getByRole('button', { name: '撤回卷宗', exact: true }).first().click();
    await staff.getByLabel(/^原因/).fill(reason);
    await staff.getByRole('dialog').getByRole('button', { name: '确定', exact: true }).click();
    await staff.locator('article[data-package-status="REVOKED"]').waitFor();
    await shot(staff, '工作台-卷宗已撤回');
    const told = await waitForSms(stack, demo.lawyer.phone, 'PACKAGE_REVOKED', seen, 30_000);
    expect(told.text).toContain(reason.slice(0, 10));

    await menu(portal, '辩护与代理网上预约').click();
    await hasText(portal.locator('.closed-reason').first(), reason);
    await shot(portal, '门户-卷宗已撤回');
    await portal.getByRole('link', { name: /^消息通知/ }).click();
    await hasText(portal.locator('main'), '卷宗已撤回');
    await hasText(portal.locator('main'), reason);
    await portal.getByRole('link', { name: '已绑定案件', exact: true }).first().click();
    const row = portal.locator('tr', { hasText: demo.case.caseName });
    await hasText(row, '已结束');
    await visible(row.getByRole('button', { name: '申请在线阅卷', exact: true }));
    await shot(portal, '门户-可重新申请');

    staff.once('dialog', (d) => void d.accept());
    await staff.getByRole('button', { name: '重新制作', exact: true }).first().click();
    await staff.locator('article[data-package-status="READY"]').waitFor({ timeout: 60_000 });
    await shot(staff, '工作台-重新制作');
    const ready = await waitForSms(stack, demo.lawyer.phone, 'PACKAGE_READY', seen, 60_000);
    expect(passwordIn(ready.text, '卷宗下载密码')).not.toBe(journeyState.downloadPassword);
    await portal.reload();
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).not.toContain('已结束');
    expect(await row.getByRole('button', { name: '申请在线阅卷', exact: true }).count()).toBe(0);
    await menu(portal, '辩护与代理网上预约').click();
    await visible(portal.getByRole('link', { name: '卷宗下载', exact: true }).first());
    expect(await portal.locator('.closed-reason').count()).toBe(0);
  });

  it('辩护与代理网上预约: a phone-code session books 听取意见 and 现场阅卷 after the APPOINTMENT scan; the prosecutor opens a slot, reschedules, confirms and declines; the lawyer adds one to a calendar and cancels (issue 15.7)', async () => {
    // A session that is not identity-verified: log in again with an SMS code.
    await portal.getByRole('button', { name: '退出', exact: true }).click();
    await portal.waitForURL((url) => url.pathname === '/');
    await portal.goto('/login');
    await portal.getByLabel('手机号码', { exact: true }).fill(demo.lawyer.phone);
    await portal.getByRole('button', { name: '获取验证码', exact: true }).click();
    await portal
      .getByLabel('短信验证码')
      .fill(codeIn((await waitForSms(stack, demo.lawyer.phone, 'LOGIN_CODE', seen)).text));
    await portal.getByRole('button', { name: '登录', exact: true }).click();
    await portal.waitForURL('**/center');

    const book = async (type: '听取意见' | '现场阅卷', note: string) => {
      await menu(portal, '辩护与代理网上预约').click();
      await portal.getByRole('link', { name: '新建预约', exact: true }).click();
      await visible(portal.getByRole('heading', { name: '新建预约' }));
      await portal.getByLabel(type).check();
      const slot = portal.locator('input[name="slot"]:not([disabled])').first();
      await slot.check();
      const when = (await slot.locator('xpath=..').innerText()).split('·')[0]!.trim();
      await portal.getByLabel(/^预约事由/).fill(note);
      await shot(portal, `门户-新建预约-${type}`);
      await portal.getByRole('button', { name: '提交预约', exact: true }).click();
      const dialog = portal.getByRole('dialog', { name: '律师身份核验' });
      await visible(dialog.locator('.step-up[data-status="PENDING"] img.qr'));
      await scanWithVerifier(verifier, dialog.locator('img.qr'));
      await hasText(verifier.locator('#confirm'), '辩护与代理网上预约');
      await verifier.getByRole('button', { name: '确认核验', exact: true }).click();
      await portal.waitForURL('**/appointments?booked=1');
      await hasText(portal.getByRole('status').or(portal.locator('.alert')).first(), '预约已提交');
      return when;
    };
    const hearingAt = await book('听取意见', '当面提交书面辩护意见');
    const hearing = portal.locator('tr[data-status="REQUESTED"]', { hasText: '听取意见' });
    await hasText(hearing, hearingAt);
    await shot(portal, '门户-预约待确认');

    // The prosecutor opens a slot of their own and moves the hearing there.
    await staff.getByRole('link', { name: '预约接待', exact: true }).click();
    const day = new Date(Date.now() + 21 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    await staff.getByLabel('日期').fill(day);
    await staff.getByLabel('开始时间').fill('14:00');
    await staff.getByLabel('结束时间').fill('15:30');
    await staff.getByLabel('名额').fill('2');
    await staff.getByRole('button', { name: '新增接待时段', exact: true }).click();
    await hasText(staff.locator('.alert').first(), '已新增接待时段');
    const row = staff.locator('tr[data-booking]', { hasText: demo.case.caseName }).first();
    await hasText(row, '当面提交书面辩护意见');
    await shot(staff, '工作台-预约接待');
    await row.getByRole('button', { name: '改期', exact: true }).click();
    const move = staff.getByRole('dialog', { name: '改期' });
    const target = move.locator('option', { hasText: day }).filter({ hasText: '14:00–15:30' });
    await move.getByLabel('新的接待时段').selectOption((await target.getAttribute('value'))!);
    await move.getByLabel(/^改期原因/).fill('承办检察官当日出庭');
    await move.getByRole('button', { name: '确定改期', exact: true }).click();
    await hasText(staff.locator('.alert').first(), '已改期');
    const moved = await waitForSms(
      stack,
      demo.lawyer.phone,
      'APPOINTMENT_RESCHEDULED',
      seen,
      30_000,
    );
    expect(moved.text).toContain(`已改期至${day} 14:00`);
    expect(moved.text).toContain('承办检察官当日出庭');

    // 现场阅卷: booked, confirmed, added to a calendar, then cancelled by the lawyer.
    await book('现场阅卷', '查阅全部案卷');
    await staff.reload();
    await staff
      .locator('section[aria-labelledby="h-requested"] tr[data-booking]')
      .first()
      .getByRole('button', { name: '确认', exact: true })
      .click();
    await hasText(staff.locator('.alert').first(), '已确认');
    const confirmed = await waitForSms(
      stack,
      demo.lawyer.phone,
      'APPOINTMENT_CONFIRMED',
      seen,
      30_000,
    );
    expect(confirmed.text).toContain('现场阅卷已确认');
    await portal.reload();
    const reading = portal.locator('tr[data-status="CONFIRMED"]', { hasText: '现场阅卷' });
    const [ics] = await Promise.all([
      portal.waitForEvent('download'),
      reading.getByRole('button', { name: '加入日历', exact: true }).click(),
    ]);
    expect(ics.suggestedFilename()).toBe(`现场阅卷-${demo.case.caseName}.ics`);
    const saved = join(dir, 'appointment.ics');
    await ics.saveAs(saved);
    const event = new ICAL.Event(
      new ICAL.Component(ICAL.parse(readFileSync(saved, 'utf8'))).getFirstSubcomponent('vevent')!,
    );
    expect(event.summary).toBe(`现场阅卷：${demo.case.caseName}`);
    expect(event.location).toContain('律师接待室');
    await shot(portal, '门户-预约已确认');
    portal.once('dialog', (d) => void d.accept());
    await reading.getByRole('button', { name: '取消预约', exact: true }).click();
    await hasText(
      portal.locator('tr[data-status="CLOSED"]', { hasText: '现场阅卷' }),
      '律师已取消预约',
    );

    // The hearing is declined: the lawyer is told why.
    await staff.reload();
    await staff
      .locator('section[aria-labelledby="h-confirmed"] tr[data-booking]', { hasText: '听取意见' })
      .getByRole('button', { name: '不予安排', exact: true })
      .click();
    await staff.getByLabel(/^原因/).fill('案件已移送审判');
    await staff.getByRole('dialog').getByRole('button', { name: '确定', exact: true }).click();
    await hasText(staff.locator('.alert').first(), '已不予安排');
    expect(
      (await waitForSms(stack, demo.lawyer.phone, 'APPOINTMENT_DECLINED', seen, 30_000)).text,
    ).toContain('案件已移送审判');
    await portal.reload();
    await hasText(
      portal.locator('tr[data-status="CLOSED"]', { hasText: '听取意见' }),
      '检察院不予安排：案件已移送审判',
    );
    await shot(portal, '门户-预约结果');
  });
});

const journeyState = { downloadPassword: '', documentPassword: '' };
