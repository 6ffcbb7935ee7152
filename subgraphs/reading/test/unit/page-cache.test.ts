// The page cache's size limit: past it, the files used least recently go first.
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageImages } from '../../src/services/page-images.ts';

describe('page cache sweep', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yuejuan-cache-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the least recently used files until under 80 % of the limit, never a file being written', async () => {
    const pages = join(dir, 'pages', 'v1', '800');
    await mkdir(pages, { recursive: true });
    const kb = Buffer.alloc(1024);
    for (let n = 1; n <= 10; n++) {
      const file = join(pages, `${n}.jpg`);
      await writeFile(file, kb);
      // Page n was last used n minutes after the epoch: page 1 is the oldest.
      await utimes(file, new Date(n * 60_000), new Date(n * 60_000));
    }
    await writeFile(join(pages, '11.jpg.abc.tmp'), kb);
    await utimes(join(pages, '11.jpg.abc.tmp'), new Date(0), new Date(0));
    const images = createPageImages({
      cacheDir: dir,
      blobs: () => null as never,
      maxBytes: 8 * 1024,
    });
    expect(await images.sweep()).toBe(4 * 1024);
    expect((await readdir(pages)).sort()).toEqual(
      ['10.jpg', '11.jpg.abc.tmp', '5.jpg', '6.jpg', '7.jpg', '8.jpg', '9.jpg'].sort(),
    );
    // Under the limit: nothing more goes.
    expect(await images.sweep()).toBe(0);
  });
});
