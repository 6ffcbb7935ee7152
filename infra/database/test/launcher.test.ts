import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureFerretDB,
  GoMissingError,
  repoRoot,
  startDatabase,
  type DatabaseHandle,
} from '../src/index.ts';
import { canConnect } from '../src/health.ts';
import { cleanupTemps, portOf, tempDir, waitPortClosed, withClient } from './helpers.ts';

// Builds the binary only when it is missing (fresh clone); otherwise this is instant.
const log = (line: string) => console.log(`[database] ${line}`);

let shared: DatabaseHandle;

beforeAll(async () => {
  await ensureFerretDB({ log });
  shared = await startDatabase({ dataDir: join(await tempDir(), 'data'), env: {}, log });
});

afterAll(async () => {
  await shared?.stop();
  await cleanupTemps();
});

describe('startDatabase (embedded FerretDB)', () => {
  it('answers hello/ping and stores documents', async () => {
    expect(shared.embedded).toBe(true);
    expect(shared.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    await withClient(shared.uri, async (c) => {
      const hello = await c.db('admin').command({ hello: 1 });
      expect(hello['ok']).toBe(1);
      expect((await c.db('admin').command({ ping: 1 }))['ok']).toBe(1);

      const coll = c.db('launcher_test').collection<{ name: string; n: number }>('things');
      await coll.insertMany([
        { name: 'a', n: 1 },
        { name: 'b', n: 2 },
      ]);
      const found = await coll.find({ n: { $gt: 1 } }, { projection: { _id: 0 } }).toArray();
      expect(found).toEqual([{ name: 'b', n: 2 }]);
    });
  });

  it('runs two instances at once on different ports, with separate data', async () => {
    const other = await startDatabase({ dataDir: join(await tempDir(), 'data'), env: {} });
    try {
      expect(portOf(other.uri)).not.toBe(portOf(shared.uri));
      await withClient(other.uri, (c) => c.db('two').collection('x').insertOne({ only: 'other' }));
      await withClient(shared.uri, async (c) => {
        expect(await c.db('two').collection('x').countDocuments()).toBe(0);
      });
      await withClient(other.uri, async (c) => {
        expect(await c.db('two').collection('x').countDocuments()).toBe(1);
      });
    } finally {
      await other.stop();
    }
  });

  it('stop() closes the port, is idempotent, and data persists across restart', async () => {
    const dataDir = join(await tempDir(), 'data');
    const first = await startDatabase({ dataDir, env: {} });
    await withClient(first.uri, (c) =>
      c.db('persist').collection('docs').insertOne({ key: 'kept' }),
    );
    await Promise.all([first.stop(), first.stop()]);
    await first.stop();

    // A new connection must fail: the process is gone, not just idle.
    expect(await canConnect(portOf(first.uri))).toBe(false);

    const second = await startDatabase({ dataDir, env: {} });
    try {
      const doc = await withClient(second.uri, (cl) =>
        cl
          .db('persist')
          .collection('docs')
          .findOne({ key: 'kept' }, { projection: { _id: 0 } }),
      );
      expect(doc).toEqual({ key: 'kept' });
    } finally {
      await second.stop();
    }
  });

  it('fails early with FerretDB output when the process exits during startup', async () => {
    const dataDir = join(await tempDir(), 'data');
    // FerretDB cannot write its state file over a directory and exits at once.
    await mkdir(join(dataDir, 'state.json'), { recursive: true });
    const started = Date.now();
    await expect(startDatabase({ dataDir, env: {} })).rejects.toThrow(
      /exited with code 1[\s\S]*state\.json/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a port that is already taken', async () => {
    await expect(
      startDatabase({ port: portOf(shared.uri), dataDir: join(await tempDir(), 'd'), env: {} }),
    ).rejects.toThrow(/already in use/);
  });
});

describe('startDatabase with MONGODB_URI', () => {
  it('returns the given uri and starts nothing', async () => {
    const tools = await tempDir(); // empty: would force a build if anything were started
    const dataDir = join(await tempDir(), 'never-created');
    const db = await startDatabase({ env: { MONGODB_URI: shared.uri }, toolsDir: tools, dataDir });

    expect(db).toMatchObject({ uri: shared.uri, embedded: false });
    expect(existsSync(dataDir)).toBe(false);
    expect(await readdir(tools)).toEqual([]);
    await db.stop(); // no-op: the server it points at keeps running
    await withClient(db.uri, async (c) =>
      expect((await c.db('admin').command({ ping: 1 }))['ok']).toBe(1),
    );
  });
});

describe('ensureFerretDB', () => {
  it('rejects with a one-line GoMissingError when go is not on PATH', async () => {
    const tools = await tempDir();
    const emptyPath = await tempDir();
    const err: unknown = await ensureFerretDB({
      toolsDir: tools,
      env: { ...process.env, PATH: emptyPath },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(GoMissingError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/install Go/);
    expect(message).toMatch(/MONGODB_URI/);
  });

  it('returns the binary under <repo>/.tools by default', async () => {
    expect(await ensureFerretDB()).toBe(join(repoRoot(), '.tools', 'bin', 'ferretdb'));
  });
});

describe('orphan protection', () => {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const fixture = fileURLToPath(new URL('./fixtures/orphan.ts', import.meta.url));

  /** Runs the fixture in its own Node process and resolves with the uri it printed. */
  async function startInChild(how: 'exit' | 'hang') {
    const dataDir = join(await tempDir(), 'data');
    const proc = spawn(process.execPath, ['--import', tsx, fixture, dataDir, how], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const uri = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('mongodb://'));
        if (line) resolve(line.trim());
      });
      proc.once('exit', (code) =>
        reject(new Error(`fixture exited (${code}) before printing a uri`)),
      );
    });
    return { proc, port: portOf(uri) };
  }

  it('kills FerretDB when the parent exits without stop()', async () => {
    const { port } = await startInChild('exit');
    expect(await waitPortClosed(port)).toBe(true);
  });

  it.runIf(process.platform === 'linux' && existsSync('/usr/bin/setpriv'))(
    'kills FerretDB when the parent is SIGKILLed',
    async () => {
      const { proc, port } = await startInChild('hang');
      proc.kill('SIGKILL');
      expect(await waitPortClosed(port)).toBe(true);
    },
  );
});
