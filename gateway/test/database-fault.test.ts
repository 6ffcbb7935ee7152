import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDatabase, type DatabaseHandle } from '@yuejuan/database';
import { startStack, type Stack } from './stack.ts';
import { shanghai } from './fixtures.ts';
import { internalsIn, post } from './http.ts';

const publicQuery = /* GraphQL */ `
  query Procuratorates {
    procuratorates {
      id
      name
    }
  }
`;

/**
 * The database stops under a running stack and comes back on the same port and data: callers
 * get a clear error while it is down (the connections do not buffer commands for 10 s) and
 * answers again as soon as it is back, with nothing lost.
 */
describe('the database going down and coming back', () => {
  let dataDir: string;
  let port: number;
  let database: DatabaseHandle;
  let stack: Stack;
  let internalUrls: string[];
  const ask = () => post(stack.url, { query: publicQuery });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'yuejuan-dbfault-'));
    port = await freePort();
    // Its own FerretDB (not the test run's), which this file may stop: MONGODB_URI must not win.
    database = await startDatabase({ port, dataDir, env: {} });
    // The production subgraph timeout (10 s), so what callers see is the subgraph's own answer.
    stack = await startStack('dbfault', {
      mongoUri: database.uri,
      gatewayEnv: { SUBGRAPH_TIMEOUT_MS: '10000' },
    });
    await stack.services.cases.cases.importProcuratorate(shanghai);
    internalUrls = [...Object.values(stack.urls), database.uri];
  });
  afterAll(async () => {
    await stack?.stop();
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers with a clear error while the database is down, then recovers when it returns', async () => {
    expect((await ask()).json?.data).toEqual({
      procuratorates: [{ id: shanghai.id, name: shanghai.name }],
    });

    await database.stop();
    // The first request may meet a pooled connection that just broke, the next ones wait for
    // the driver's server selection (1.5 s): each must end with a clear error, none may hang.
    for (const attempt of [1, 2]) {
      const started = performance.now();
      const down = await ask();
      const errorMs = performance.now() - started;
      console.log(
        `database down, request ${attempt}: ${errorMs.toFixed(0)} ms, ${JSON.stringify(down.json?.errors?.[0]?.extensions)}`,
      );
      expect(down.status).toBeLessThan(500);
      expect(down.json?.data ?? null).toBeNull();
      expect(down.json?.errors?.[0]?.extensions).toMatchObject({
        serviceName: 'cases',
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(internalsIn(down.text, internalUrls)).toEqual([]);
      // The driver's 1.5 s server selection, plus room for a loaded CI machine: well short of the
      // 10 s a buffering connection would wait, and of the gateway's 10 s subgraph timeout.
      expect(errorMs).toBeLessThan(8000);
    }

    database = await startDatabase({ port, dataDir, env: {} });
    const back = performance.now();
    let recovered = await ask();
    while (!recovered.json?.data && performance.now() - back < 15_000) {
      await new Promise((r) => setTimeout(r, 50));
      recovered = await ask();
    }
    const recoveryMs = performance.now() - back;
    console.log(`database back: answers again after ${recoveryMs.toFixed(0)} ms`);
    // Nothing written before the outage is lost.
    expect(recovered.json?.data).toEqual({
      procuratorates: [{ id: shanghai.id, name: shanghai.name }],
    });
    expect(recoveryMs).toBeLessThan(3000);
  });
});
