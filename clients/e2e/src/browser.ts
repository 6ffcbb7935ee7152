// Debian's chromium driven by playwright-core (never a downloaded browser), the three browser
// contexts of the journey, and screenshots saved where a person can look at them.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '@yuejuan/database';

/** The flags every run uses: no network beyond loopback, no first-run work; a fake camera for getUserMedia. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/**
 * Launches /usr/bin/chromium headless; with `cameraFile`, its fake camera plays that Y4M file
 * (camera.ts writes it; Chromium reads it again each time a page opens the camera).
 */
export const launchChromium = (cameraFile?: string): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      ...chromiumArgs,
      ...(cameraFile ? [`--use-file-for-fake-video-capture=${cameraFile}`] : []),
    ],
  });

/** The verifier as a phone (in `verifierBrowser` when it has its own camera), the portal and the console as desktops. */
export async function journeyContexts(
  browser: Browser,
  urls: { portal: string; verifier: string; console: string },
  verifierBrowser: Browser = browser,
) {
  const verifier = await verifierBrowser.newContext({
    baseURL: urls.verifier,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    permissions: ['camera'],
  });
  const portal = await browser.newContext({
    baseURL: urls.portal,
    viewport: { width: 1280, height: 860 },
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  const console = await browser.newContext({
    baseURL: urls.console,
    viewport: { width: 1280, height: 860 },
    locale: 'zh-CN',
  });
  return { verifier, portal, console };
}

/** A folder under clients/e2e/artifacts/ for this run's screenshots and downloads (printed once). */
export function artifactsDir(name: string): string {
  const dir = join(
    repoRoot(),
    'clients',
    'e2e',
    'artifacts',
    `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  mkdirSync(dir, { recursive: true });
  console.log(`[e2e] 截图与下载文件保存在 ${dir}`);
  return dir;
}

/** Numbered full-page screenshots: `shot(page, '登录')` → 01-登录.png. */
/**
 * A screenshot of what the person sees, and axe-core's audit of that same page (WCAG 2.1 A and
 * AA): a violation fails the step that showed it. (Screenshots of a failure are not audited.)
 */
export function screenshots(dir: string) {
  let n = 0;
  return async (page: Page, name: string) => {
    n += 1;
    await page.screenshot({
      path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
    if (name.startsWith('失败')) return;
    const violations = await accessibilityViolations(page);
    if (violations.length)
      throw new Error(
        `axe-core：页面“${name}”（${page.url()}）有无障碍问题：\n${violations.join('\n')}`,
      );
  };
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** axe-core's violations of WCAG 2.1 A/AA on the page as it is now (injected over the DevTools protocol, so the pages' CSP stays on). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Result = {
      violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
    };
    const axe = (
      window as unknown as { axe: { run(context: Document, options: unknown): Promise<Result> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 4)
          .map((node) => node.target.join(' '))
          .join(' | ')}`,
    );
  });
}

/** Collects console errors and failed requests of a context, to print when a test fails. */
export function watchProblems(context: BrowserContext, label: string, sink: string[]) {
  context.on('page', (page) => {
    page.on('pageerror', (err) => sink.push(`[${label}] pageerror ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') sink.push(`[${label}] console ${msg.text()}`);
    });
    page.on('websocket', (ws) => {
      ws.on('socketerror', (err) => sink.push(`[${label}] websocket error ${err}`));
      ws.on('framereceived', (f) => {
        const t = String(f.payload);
        if (/"type":"(error|complete)"|errors/.test(t))
          sink.push(`[${label}] websocket ${t.slice(0, 300)}`);
      });
      ws.on('close', () => sink.push(`[${label}] websocket closed ${ws.url()}`));
    });
  });
}

/** A GraphQL operation a page sent: how it named the operation (hash, text or both). */
export interface SentOperation {
  app: string;
  transport: 'http' | 'ws';
  operationName?: string;
  hash?: string;
  query?: string;
}

/** Records the GraphQL operations the pages of a context send, over HTTP and graphql-ws. */
export function watchOperations(context: BrowserContext, app: string, sink: SentOperation[]) {
  const record = (
    transport: 'http' | 'ws',
    body: {
      operationName?: string;
      query?: string;
      extensions?: { persistedQuery?: { sha256Hash?: string } };
    } | null,
  ) => {
    if (!body) return;
    sink.push({
      app,
      transport,
      operationName: body.operationName,
      hash: body.extensions?.persistedQuery?.sha256Hash,
      query: body.query || undefined,
    });
  };
  context.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql')
      record('http', request.postDataJSON());
  });
  context.on('page', (page) =>
    page.on('websocket', (ws) =>
      ws.on('framesent', (frame) => {
        const message = JSON.parse(String(frame.payload)) as {
          type?: string;
          payload?: Parameters<typeof record>[1];
        };
        if (message.type === 'subscribe') record('ws', message.payload ?? null);
      }),
    ),
  );
}
