import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '@yuejuan/runtime/storage';
import { buildPackageZip } from '../src/services/builder.ts';
import { processAlive, sweepBuildDirs } from '../src/services/build-dirs.ts';
import type { PdfTools } from '../src/services/pdf.ts';

/** The id of a process that has exited (a short-lived child, waited for). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** A build folder as a build leaves it: a volume copy inside. */
async function buildFolder(root: string, name: string) {
  await mkdir(join(root, name));
  await writeFile(join(root, name, '0-in.pdf'), 'half a volume');
}

describe('temporary build folders (yuejuan-build-*)', () => {
  let root: string;
  const otherProcess = spawn('sleep', ['60']); // a second reading process on the same machine, building
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'yuejuan-sweep-test-'));
  });
  afterAll(async () => {
    otherProcess.kill();
    await rm(root, { recursive: true, force: true });
  });

  it('sweeps the folder of a build whose process died, keeping those of live processes and anything else', async () => {
    const crashed = await deadPid();
    expect(processAlive(crashed)).toBe(false);
    await buildFolder(root, `yuejuan-build-${crashed}-a1B2c3`);
    await buildFolder(root, `yuejuan-build-${process.pid}-d4E5f6`);
    await buildFolder(root, `yuejuan-build-${otherProcess.pid}-g7H8i9`);
    await buildFolder(root, 'yuejuan-bench-package-x');

    const removed = await sweepBuildDirs(root);

    expect(removed).toEqual([`yuejuan-build-${crashed}-a1B2c3`]);
    expect((await readdir(root)).sort()).toEqual(
      [
        `yuejuan-build-${otherProcess.pid}-g7H8i9`,
        `yuejuan-build-${process.pid}-d4E5f6`,
        'yuejuan-bench-package-x',
      ].sort(),
    );
  });

  it("names a build's folder after its process and removes it when the build fails", async () => {
    let folder = '';
    const failingPdf = {
      async writeWatermark(path: string) {
        folder = dirname(path);
        await writeFile(path, 'watermark');
        throw new Error('qpdf crashed');
      },
    } as unknown as PdfTools;
    const discardingStore = {
      put: async (_b: string, source: AsyncIterable<Uint8Array>) => {
        for await (const _ of source);
        return { id: 'x', sizeBytes: 0, sha256: '' };
      },
      delete: async () => undefined,
    } as unknown as BlobStore;

    const build = buildPackageZip(discardingStore, failingPdf, {
      pkg: { _id: 'pkg-1', volumes: [] } as never,
      blobIds: new Map(),
      lawyer: { id: 'lawyer-1' },
      documentPassword: 'secret',
      onProgress: async () => undefined,
      aborted: () => false,
    });

    await expect(build).rejects.toThrow('qpdf crashed');
    expect(basename(folder)).toMatch(new RegExp(`^yuejuan-build-${process.pid}-`));
    expect(existsSync(folder)).toBe(false);
  });
});
