import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callInternal, mintInternalToken } from '@yuejuan/runtime';
import { startCases, type Harness } from './harness.ts';
import {
  guangdong,
  seedApplications,
  seedCase,
  seedProcuratorates,
  shanghai,
  theftCase,
  zhangSan,
  zhangSanId,
} from './fixtures.ts';

describe('POST /internal/bindings/check', () => {
  let h: Harness;
  let theftId: string;
  let excludedId: string;
  const check = (body: unknown) =>
    callInternal<Record<string, unknown>>(
      {
        baseUrl: h.url.replace(/\/graphql$/, ''),
        audience: 'cases',
        service: 'reading',
        secret: h.secrets.internal,
      },
      '/internal/bindings/check',
      body,
    );

  beforeAll(async () => {
    h = await startCases('cases_internal');
    await seedProcuratorates(h);
    theftId = await seedCase(h, shanghai.id, theftCase);
    excludedId = await seedCase(h, guangdong.id, {
      ...theftCase,
      readingExclusion: { category: 'MINORS', reason: '犯罪嫌疑人系未成年人' },
    });
    await seedApplications(h, zhangSanId, [theftId], () => 'APPROVED');
    await seedApplications(h, zhangSanId, [excludedId], () => 'SUBMITTED');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers binding, procuratorate, pilot switch, exclusion and case name', async () => {
    expect(await check({ lawyerId: zhangSanId, caseId: theftId })).toEqual({
      status: 200,
      body: {
        exists: true,
        bound: true,
        procuratorateId: shanghai.id,
        caseName: theftCase.caseName,
        onlineReadingEnabled: true,
        readingExclusion: null,
      },
    });
    expect((await check({ lawyerId: zhangSanId, caseId: excludedId })).body).toEqual({
      exists: true,
      bound: false,
      procuratorateId: guangdong.id,
      caseName: theftCase.caseName,
      onlineReadingEnabled: false,
      readingExclusion: { category: 'MINORS', reason: '犯罪嫌疑人系未成年人' },
    });
    expect((await check({ lawyerId: 'someone-else', caseId: theftId })).body.bound).toBe(false);
    expect((await check({ lawyerId: zhangSanId, caseId: 'nope' })).body).toMatchObject({
      exists: false,
      bound: false,
    });
  });

  it('refuses anything but a service identity', async () => {
    const asLawyer = await fetch(h.url.replace(/\/graphql$/, '/internal/bindings/check'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-internal-token': await mintInternalToken(h.secrets.internal, 'cases', zhangSan),
      },
      body: JSON.stringify({ lawyerId: zhangSanId, caseId: theftId }),
    });
    expect(asLawyer.status).toBe(403);
    const noToken = await fetch(h.url.replace(/\/graphql$/, '/internal/bindings/check'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(401);
  });
});
