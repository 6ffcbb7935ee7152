import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSupergraph } from '@yuejuan/schema';
import { startStack, type Stack } from './stack.ts';
import { seedPeople, shanghai } from './fixtures.ts';

const committed = readSupergraph();
const original = '"""Procuratorates, optionally of one province. Public."""';
/** The committed supergraph with another description on Query.procuratorates: valid, and visible. */
const withDescription = (text: string) => {
  if (!committed.includes(original))
    throw new Error('the committed supergraph changed: update this test');
  return committed.replace(original, `"""${text}"""`);
};
const describeQuery = /* GraphQL */ `
  {
    __type(name: "Query") {
      fields {
        name
        description
      }
    }
  }
`;
const publicQuery = /* GraphQL */ `
  {
    procuratorates(onlineReadingOnly: true) {
      id
    }
  }
`;

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reloading the supergraph', () => {
  let stack: Stack;
  let dir: string;
  let path: string;
  const logs: string[] = [];
  const description = async () => {
    const result = await stack.query<{
      __type: { fields: { name: string; description: string }[] };
    }>(describeQuery);
    return result.data!.__type.fields.find((f) => f.name === 'procuratorates')!.description;
  };
  const serving = async () => (await stack.query(publicQuery)).data;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yuejuan-supergraph-'));
    path = join(dir, 'supergraph.graphql');
    writeFileSync(path, committed);
    stack = await startStack('reload', {
      gatewayEnv: { SUPERGRAPH_PATH: path, SUPERGRAPH_POLL_MS: '100' },
      gatewayLogLines: logs,
    });
    await seedPeople(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a new supergraph written over the file, without a restart', async () => {
    writeFileSync(path, withDescription('检察院列表（已热更新）。'));
    expect(
      await until(async () =>
        (await description()) === '检察院列表（已热更新）。' ? true : undefined,
      ),
    ).toBe(true);
    expect(await serving()).toEqual({ procuratorates: [{ id: shanghai.id }] });
  });

  it('keeps the old schema serving when the new file is not a supergraph at all', async () => {
    const before = await description();
    const refusals = logs.filter((l) => l.includes('supergraph refused')).length;
    writeFileSync(path, 'this is { not graphql');
    await until(async () =>
      logs.filter((l) => l.includes('supergraph refused')).length > refusals ? true : undefined,
    );
    expect(await description()).toBe(before);
    expect(await serving()).toEqual({ procuratorates: [{ id: shanghai.id }] });
  });

  it('keeps the old schema serving when the file parses but is no valid supergraph', async () => {
    const before = await description();
    const broken = withDescription('不会生效。').replace(/enum join__Graph[\s\S]*?\n}\n/, '');
    writeFileSync(path, broken);
    expect(await stack.gateway.reloadSupergraph()).toBe(false);
    expect(await description()).toBe(before);
    expect(await serving()).toEqual({ procuratorates: [{ id: shanghai.id }] });
  });

  it('reloads on SIGHUP', async () => {
    writeFileSync(path, committed);
    const other = await stack.startGateway({ SUPERGRAPH_PATH: path }); // no polling: only the signal
    writeFileSync(path, withDescription('SIGHUP 之后的说明。'));
    process.emit('SIGHUP');
    const text = await until(async () => {
      const result = await other.query<{
        __type: { fields: { name: string; description: string }[] };
      }>(describeQuery);
      const value = result.data!.__type.fields.find(
        (f) => f.name === 'procuratorates',
      )!.description;
      return value === 'SIGHUP 之后的说明。' ? value : undefined;
    });
    expect(text).toBe('SIGHUP 之后的说明。');
  });
});
