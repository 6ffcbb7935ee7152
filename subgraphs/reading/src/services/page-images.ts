// 在线阅卷's page images. A page is rasterised once per volume and width by poppler's pdftoppm
// (a child process: no PDF is parsed in the subgraph, and none reaches the browser) into a disk
// cache without any watermark; each request stamps the reader's own watermark into the pixels
// with sharp (libvips), tiled across the page and once along its foot, and sends a JPEG.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { newId } from '@yuejuan/runtime';
import type { BlobStore } from '@yuejuan/runtime/storage';
import { spool } from './pdf.ts';
import { volumeBucket } from './volume.service.ts';

const run = promisify(execFile);
// Every page is stamped once per request: libvips' operation cache would only hold memory.
sharp.cache(false);
const require = createRequire(import.meta.url);
export const defaultFont = () =>
  require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

/** The widths pages are rendered at: a request is served at the next one up (bounded cache). */
export const pageWidths = [240, 480, 800, 1200, 1600] as const;
export const snapWidth = (w: number) =>
  pageWidths.find((x) => x >= w) ?? pageWidths[pageWidths.length - 1]!;

/** Runs at most `n` tasks at once (pdftoppm children: one per core is plenty). */
function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** A small LRU of values by key (the watermark tiles of recent readers and widths). */
function lru<V>(max: number) {
  const map = new Map<string, V>();
  return {
    get(key: string) {
      const v = map.get(key);
      if (v !== undefined) {
        map.delete(key);
        map.set(key, v);
      }
      return v;
    },
    set(key: string, v: V) {
      map.delete(key);
      map.set(key, v);
      if (map.size > max) map.delete(map.keys().next().value!);
    },
  };
}

const escapeMarkup = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface PageImageOptions {
  cacheDir: string;
  blobs: () => BlobStore;
  /** A TrueType font with CJK glyphs for the watermark (default Noto Sans SC). */
  fontPath?: string;
  /** pdftoppm children at once. */
  renderers?: number;
  /** The cache's size limit: past it, the files used least recently go (default 2 GiB). */
  maxBytes?: number;
}

/** The page-image cache and stamping of the online reader. */
export function createPageImages(o: PageImageOptions) {
  const fontPath = o.fontPath ?? defaultFont();
  const limit = limiter(o.renderers ?? 2);
  const inflight = new Map<string, Promise<string>>();
  const tiles = lru<Promise<Buffer>>(64);
  const feet = lru<Promise<{ input: Buffer; height: number }>>(256);

  /** Runs `make` once for `key` at a time: concurrent requests of one page share one render. */
  function once(key: string, make: () => Promise<string>): Promise<string> {
    let p = inflight.get(key);
    if (!p) {
      p = make().finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  }
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  /** Writes through a temporary name and renames, so a cached file is always whole. */
  async function atomically(path: string, write: (tmp: string) => Promise<void>) {
    const tmp = `${path}.${newId()}.tmp`;
    try {
      await write(tmp);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** The volume's PDF in the cache (copied out of storage once). */
  function source(volume: { id: string; blobId: string }): Promise<string> {
    const path = join(o.cacheDir, 'volumes', `${volume.id}.pdf`);
    return once(path, async () => {
      if (await exists(path)) {
        touch(path);
        return path;
      }
      await mkdir(join(o.cacheDir, 'volumes'), { recursive: true, mode: 0o700 });
      await atomically(path, (tmp) => spool(o.blobs().open(volumeBucket, volume.blobId), tmp));
      return path;
    });
  }

  /**
   * Page `page` of the volume as a JPEG (quality 92) `width` pixels wide, without watermark
   * (cached). JPEG, not PNG: pdftoppm's PNG encoding took 0.20 s of a 1200 px page's 0.22 s,
   * its JPEG 0.02 s, at a similar size (150 KB).
   */
  async function render(
    volume: { id: string; blobId: string },
    page: number,
    width: number,
  ): Promise<string> {
    const dir = join(o.cacheDir, 'pages', volume.id, String(width));
    const path = join(dir, `${page}.jpg`);
    return once(path, async () => {
      if (await exists(path)) {
        touch(path);
        return path;
      }
      const file = await source(volume);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await limit(() =>
        atomically(path, async (tmp) => {
          const prefix = tmp.slice(0, -4);
          // pdftoppm names its output `${prefix}.jpg` with -singlefile.
          await run('pdftoppm', [
            '-f',
            String(page),
            '-l',
            String(page),
            '-cropbox',
            '-scale-to-x',
            String(width),
            '-scale-to-y',
            '-1',
            '-jpeg',
            '-jpegopt',
            'quality=92',
            '-singlefile',
            file,
            prefix,
          ]);
          await rename(`${prefix}.jpg`, tmp);
        }),
      );
      return path;
    });
  }

  /** The watermark's text as an image: two lines, grey, translucent, `size` pixels high. */
  async function label(lines: string[], size: number, alpha: string): Promise<Buffer> {
    return sharp({
      text: {
        text: `<span foreground="#3c3c3c" fgalpha="${alpha}">${lines.map(escapeMarkup).join('\n')}</span>`,
        fontfile: fontPath,
        font: `Noto Sans SC ${size}px`,
        rgba: true,
        dpi: 72,
      },
    })
      .png()
      .toBuffer();
  }

  /**
   * The tile laid over the whole page for `viewer` at `width`: the viewer's lines, slanted, in
   * a tile about 40 % of the page wide, so any part of a page larger than a tile carries the
   * whole text at least once.
   */
  function tile(viewer: string[], width: number): Promise<Buffer> {
    const key = `${width}\n${viewer.join('\n')}`;
    let t = tiles.get(key);
    if (!t) {
      t = (async () => {
        const size = Math.max(11, Math.round(width / 52));
        const text = await label(viewer, size, '26%');
        const m = await sharp(text).metadata();
        const [w, h] = [m.width + Math.round(size * 2), m.height * 3];
        const cell = await sharp({
          create: { width: w, height: h, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
        })
          .composite([{ input: text, left: size, top: m.height }])
          .png()
          .toBuffer();
        return sharp(cell)
          .rotate(-20, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
          .png()
          .toBuffer();
      })();
      t.catch(() => undefined);
      tiles.set(key, t);
    }
    return t;
  }

  /** Marks a cached file as just used (its mtime: the sweep removes the oldest first). */
  const touch = (path: string) => {
    const now = new Date();
    void utimes(path, now, now).catch(() => undefined);
  };

  /**
   * Keeps the cache under `maxBytes`: when it is over, removes the files used least recently
   * until it is under 80 % of it. Answers the bytes removed. A file being written is a
   * `.tmp` and never removed here; a removed file is simply rendered again when asked for.
   */
  async function sweep(): Promise<number> {
    const max = o.maxBytes ?? 2 * 1024 ** 3;
    const files: { path: string; size: number; used: number }[] = [];
    const walk = async (dir: string) => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, e.name);
        if (e.isDirectory()) await walk(path);
        else if (!e.name.endsWith('.tmp')) {
          const s = await stat(path).catch(() => null);
          if (s) files.push({ path, size: s.size, used: s.mtimeMs });
        }
      }
    };
    await walk(o.cacheDir);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    if (total <= max) return 0;
    let removed = 0;
    for (const f of files.sort((a, b) => a.used - b.used)) {
      if (total <= max * 0.8) break;
      if (inflight.has(f.path)) continue;
      await rm(f.path, { force: true });
      total -= f.size;
      removed += f.size;
    }
    return removed;
  }

  let sweeper: NodeJS.Timeout | null = null;
  return {
    render,
    source,
    sweep,
    /** Sweeps now and every `everyMs` (default 10 minutes). */
    start(everyMs = 600_000, onError: (err: unknown) => void = () => undefined) {
      const run = () => void sweep().catch(onError);
      run();
      sweeper = setInterval(run, everyMs);
      sweeper.unref();
    },
    stop() {
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
    },

    /**
     * Page `page` of the volume about `width` pixels wide (served at the next cached width),
     * with the watermark burned in: `viewer` (the lines naming the reader) tiled over the
     * page, and `viewer` plus `stamp` (the time) along the foot. A JPEG.
     */
    async page(
      volume: { id: string; blobId: string },
      page: number,
      width: number,
      viewer: string[],
      stamp: string,
      /** Changes the page before it is stamped (遮蔽's preview paints its marks). */
      before?: (image: Buffer) => Promise<Buffer>,
    ): Promise<Buffer> {
      const w = snapWidth(width);
      const rendered = await readFile(await render(volume, page, w));
      const clean = before ? await before(rendered) : rendered;
      const meta = await sharp(clean).metadata();
      const footSize = Math.max(10, Math.round(meta.width / 70));
      const footText = `${viewer.join(' ')} ${stamp}`;
      const footKey = `${meta.width}\n${footText}`;
      let footMade = feet.get(footKey);
      if (!footMade) {
        footMade = (async () => {
          const foot = await label([footText], footSize, '80%');
          const m = await sharp(foot).metadata();
          const input =
            m.width > meta.width - 8
              ? await sharp(foot)
                  .resize({ width: meta.width - 8 })
                  .toBuffer()
              : foot;
          return { input, height: (await sharp(input).metadata()).height };
        })();
        footMade.catch(() => undefined);
        feet.set(footKey, footMade);
      }
      const { input: footInput, height: footHeight } = await footMade;
      return sharp(clean)
        .composite([
          { input: await tile(viewer, meta.width), tile: true, blend: 'over' },
          {
            input: footInput,
            left: 4,
            top: Math.max(0, meta.height - footHeight - Math.round(footSize / 2)),
          },
        ])
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 82 })
        .toBuffer();
    },
  };
}
export type PageImages = ReturnType<typeof createPageImages>;
