// The accessibility audit every screenshot runs (screenshots() in src/browser.ts) finds real
// problems, also under a strict Content-Security-Policy like the apps' own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { accessibilityViolations, launchChromium } from '../src/browser.ts';

describe('axe-core audit of a page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:">`;

  it('reports an image without text, an unlabelled field and low contrast, under the pages’ CSP', async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="zh-CN"><head>${csp}<title>测试</title></head><body><main>
      <h1>测试</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">
      <p style="color:#bbb;background-color:#fff;font-size:14px">浅色文字 light text</p></main></body></html>`);
    const found = (await accessibilityViolations(page)).map((v) => v.split(' ')[0]);
    expect(found).toEqual(expect.arrayContaining(['image-alt', 'label', 'color-contrast']));
    await page.close();
  });

  it('passes a page without those problems', async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><html lang="zh-CN"><head>${csp}<title>测试</title></head><body><main>
      <h1>测试</h1><img alt="标志" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><label for="f">姓名</label><input id="f" type="text">
      <p style="color:#333;background:#fff">正文</p></main></body></html>`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  });
});
