import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian's chromium package puts the browser the end-to-end tests drive. */
export const chromiumPath = '/usr/bin/chromium';
/** A CJK font, so the Chinese pages render in the browser tests' screenshots (Debian's fonts-wqy-microhei). */
export const cjkFontPath = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** A Debian package the stack needs, and how to tell it is there. */
export interface SystemPackage {
  /** The apt package name. */
  name: string;
  /** An absolute file it installs, or a command found on PATH. */
  provides: string;
  /** What it is for (in the messages). */
  purpose: string;
}

/** qpdf: the reading subgraph stamps and encrypts case-file volumes with it (npm start and npm test). */
export const qpdf: SystemPackage = { name: 'qpdf', provides: 'qpdf', purpose: '卷宗加密与水印' };
/** The browser and the CJK font of the browser tests (npm test). */
export const browserPackages: SystemPackage[] = [
  { name: 'chromium', provides: chromiumPath, purpose: '浏览器测试' },
  { name: 'fonts-wqy-microhei', provides: cjkFontPath, purpose: '浏览器测试的中文字体' },
];

/**
 * Poppler and Tesseract: the reading subgraph renders 在线阅卷's page images with pdftoppm,
 * reads the text layer with pdftotext and scanned pages with Tesseract (chi_sim) for search
 * (npm start and npm test); the watermark tests read pages back from the pixels with them.
 */
export const ocrPackages: SystemPackage[] = [
  { name: 'poppler-utils', provides: 'pdftoppm', purpose: '在线阅卷页面渲染与卷宗文字提取' },
  { name: 'tesseract-ocr', provides: 'tesseract', purpose: '扫描页文字识别（全文检索）' },
  {
    name: 'tesseract-ocr-chi-sim',
    provides: '/usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata',
    purpose: '中文文字识别（全文检索）',
  },
];

const present = (p: SystemPackage) =>
  p.provides.startsWith('/')
    ? existsSync(p.provides)
    : (process.env.PATH ?? '')
        .split(delimiter)
        .some((dir) => dir && existsSync(join(dir, p.provides)));

/**
 * Installs the Debian packages among `packages` that are missing (`apt-get update`, then one
 * `apt-get install`); nothing runs when all are there. Needs root, as on CI and the development
 * machines; otherwise says which command to run.
 */
export async function ensureSystemPackages(
  packages: SystemPackage[],
  say: (line: string) => void,
): Promise<void> {
  const missing = packages.filter((p) => !present(p));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (process.getuid?.() !== 0) {
    throw new Error(
      `缺少系统软件包（${missing.map((p) => `${p.name}：${p.purpose}`).join('；')}）：请运行 sudo apt-get install -y ${names.join(' ')}`,
    );
  }
  say(`安装系统软件包 ${names.join(' ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...names]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} 失败 (${r.status})`);
  }
}

/**
 * Everything npm test needs from Debian: Debian's chromium and a CJK font (the browser tests
 * never download a browser of their own), qpdf for the reading subgraph's tests, and poppler
 * and Tesseract for the watermark's pixel test.
 */
export const ensureChromium = (say: (line: string) => void): Promise<void> =>
  ensureSystemPackages([...browserPackages, qpdf, ...ocrPackages], say);
