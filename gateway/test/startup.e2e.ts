import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testMongoUri, uniqueDatabaseName } from '@yuejuan/runtime/testing';

/** Runs a service's entry point as its own process and collects how it ends. */
function runEntry(
  entry: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { PATH: process.env.PATH, APOLLO_TELEMETRY_DISABLED: 'true', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const entryOf = (pkg: string) =>
  join(dirname(fileURLToPath(import.meta.resolve(`${pkg}/config`))), 'index.ts');

describe('a bad configuration stops startup with a message naming the variable', () => {
  it('subgraph: missing MONGODB_URI, bad PORT, short secret (value not echoed)', async () => {
    const { code, stderr } = await runEntry(entryOf('@yuejuan/cases'), {
      PORT: 'eighty',
      YUEJUAN_INTERNAL_SECRET: 'too-short-secret',
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/MONGODB_URI: .*not set/);
    expect(stderr).toMatch(/PORT: .*"eighty"/);
    expect(stderr).toMatch(/YUEJUAN_INTERNAL_SECRET: .*value hidden/);
    expect(stderr).not.toContain('too-short-secret');
  });

  it('gateway: an unusable timeout and subgraph URL', async () => {
    const { code, stderr } = await runEntry(
      join(dirname(fileURLToPath(import.meta.url)), '../src/index.ts'),
      {
        YUEJUAN_INTERNAL_SECRET: 's'.repeat(40),
        SUBGRAPH_TIMEOUT_MS: '-5',
        CASES_URL: 'ftp://example',
      },
    );
    expect(code).toBe(78);
    expect(stderr).toMatch(/SUBGRAPH_TIMEOUT_MS/);
    expect(stderr).toMatch(/CASES_URL/);
  });

  it('identity: a missing ID hash key', async () => {
    const { code, stderr } = await runEntry(entryOf('@yuejuan/identity'), {
      MONGODB_URI: 'mongodb://127.0.0.1:1/',
      YUEJUAN_INTERNAL_SECRET: 's'.repeat(40),
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/YUEJUAN_ID_HASH_KEY: .*not set/);
  });
});

describe('a running subgraph stops cleanly', () => {
  it('exits with code 0 on SIGTERM (its own shutdown, not the forced exit with code 1)', async () => {
    const port = 4000 + Math.floor(Math.random() * 900) + 5000;
    const child = spawn(process.execPath, ['--import', 'tsx', entryOf('@yuejuan/cases')], {
      env: {
        PATH: process.env.PATH,
        APOLLO_TELEMETRY_DISABLED: 'true',
        MONGODB_URI: testMongoUri(),
        PORT: String(port),
        YUEJUAN_INTERNAL_SECRET: 's'.repeat(40),
        CASES_DB: uniqueDatabaseName('stop'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    for (let i = 0; i < 200; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
