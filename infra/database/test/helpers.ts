import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { canConnect } from '../src/health.ts';

const temps: string[] = [];

/** A fresh temp dir, removed by cleanupTemps(). */
export async function tempDir(prefix = 'yuejuan-db-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export async function cleanupTemps(): Promise<void> {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Short-timeout client so a dead server fails the test fast instead of hanging. */
export function client(uri: string): MongoClient {
  return new MongoClient(uri, {
    directConnection: true,
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 1500,
  });
}

export async function withClient<T>(uri: string, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const c = client(uri);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

export function portOf(uri: string): number {
  return Number(new URL(uri).port);
}

/** Polls until nothing listens on the port (or the timeout passes). */
export async function waitPortClosed(port: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await canConnect(port, 200))) return true;
    await sleep(50);
  }
  return false;
}
