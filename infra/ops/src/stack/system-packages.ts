import { ensureSystemPackages, type SystemPackage } from '@yuejuan/database';

// The installer lives in @yuejuan/database (its PostgreSQL backend installs Debian's postgresql
// with it); the packages the stack needs are listed here.
export { ensureSystemPackages, type SystemPackage };

/** Where Debian's chromium package puts the browser the end-to-end tests drive. */
export const chromiumPath = '/usr/bin/chromium';
/** A CJK font, so the Chinese pages render in the browser tests' screenshots (Debian's fonts-wqy-microhei). */
export const cjkFontPath = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

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

/**
 * Everything npm test needs from Debian: Debian's chromium and a CJK font (the browser tests
 * never download a browser of their own), qpdf for the reading subgraph's tests, and poppler
 * and Tesseract for the watermark's pixel test.
 */
export const ensureChromium = (say: (line: string) => void): Promise<void> =>
  ensureSystemPackages([...browserPackages, qpdf, ...ocrPackages], say);
