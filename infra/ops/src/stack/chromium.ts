import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's chromium package puts the browser the end-to-end tests drive. */
export const chromiumPath = '/usr/bin/chromium';
/** A CJK font, so the Chinese pages render in the browser tests' screenshots (Debian's fonts-wqy-microhei). */
export const cjkFontPath = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/**
 * Installs Debian's chromium (and a CJK font) when missing (the browser tests never download a browser
 * of their own). Needs root, as on CI and the development machines; otherwise says how.
 */
export async function ensureChromium(say: (line: string) => void): Promise<void> {
  if (existsSync(chromiumPath) && existsSync(cjkFontPath)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`浏览器测试需要 ${chromiumPath} 和中文字体：请运行 sudo apt-get install -y chromium fonts-wqy-microhei`);
  }
  say('安装 Debian chromium 和中文字体 (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-wqy-microhei']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} 失败 (${r.status})`);
  }
}
