import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startCases, type Harness } from './harness.ts';
import {
  admin,
  anhui,
  guangdong,
  huangpu,
  seedProcuratorates,
  shanghai,
  wangSh,
  zhangSan,
} from './fixtures.ts';

const list = /* GraphQL */ `
  query Procuratorates($province: String, $onlineReadingOnly: Boolean) {
    procuratorates(province: $province, onlineReadingOnly: $onlineReadingOnly) {
      id
      name
      province
      onlineReadingEnabled
    }
  }
`;
const setOnlineReading = /* GraphQL */ `
  mutation SetOnlineReading($id: ID!, $enabled: Boolean!) {
    setOnlineReading(procuratorateId: $id, enabled: $enabled) {
      id
      onlineReadingEnabled
    }
  }
`;
const ids = (result: { data?: { procuratorates: { id: string }[] } | null }) =>
  result.data!.procuratorates.map((p) => p.id);

describe('procuratorates', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startCases('cases_procuratorates');
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists all procuratorates to anyone, in code order', async () => {
    const result = await h.call(anonymous, list);
    expect(result.errors).toBeUndefined();
    expect(result.data.procuratorates).toEqual([anhui, guangdong, shanghai, huangpu]);
  });

  it('filters by province', async () => {
    expect(ids(await h.call(anonymous, list, { province: '上海市' }))).toEqual([
      shanghai.id,
      huangpu.id,
    ]);
    expect(ids(await h.call(anonymous, list, { province: '西藏自治区' }))).toEqual([]);
  });

  it('filters the online-reading pilot, alone or with a province', async () => {
    expect(ids(await h.call(anonymous, list, { onlineReadingOnly: true }))).toEqual([
      anhui.id,
      shanghai.id,
    ]);
    expect(
      ids(await h.call(anonymous, list, { province: '上海市', onlineReadingOnly: true })),
    ).toEqual([shanghai.id]);
    expect(ids(await h.call(anonymous, list, { onlineReadingOnly: false }))).toHaveLength(4);
  });

  it('answers one procuratorate by id, or null', async () => {
    const result = await h.call(
      anonymous,
      /* GraphQL */ `
        query P($id: ID!) {
          procuratorate(id: $id) {
            id
            name
            province
          }
        }
      `,
      { id: huangpu.id },
    );
    expect(result.data).toEqual({
      procuratorate: { id: huangpu.id, name: huangpu.name, province: huangpu.province },
    });
    expect(
      (
        await h.call(
          anonymous,
          /* GraphQL */ `
            {
              procuratorate(id: "XX-000000") {
                id
              }
            }
          `,
        )
      ).data,
    ).toEqual({ procuratorate: null });
  });

  it('lets an administrator switch online reading, and stores it', async () => {
    const on = await h.call(admin, setOnlineReading, { id: guangdong.id, enabled: true });
    expect(on.errors).toBeUndefined();
    expect(on.data.setOnlineReading).toEqual({ id: guangdong.id, onlineReadingEnabled: true });
    expect(
      (await h.models.Procuratorate.findById(guangdong.id).lean().exec())?.onlineReadingEnabled,
    ).toBe(true);

    const off = await h.call(admin, setOnlineReading, { id: guangdong.id, enabled: false });
    expect(off.data.setOnlineReading.onlineReadingEnabled).toBe(false);
    expect(
      (await h.models.Procuratorate.findById(guangdong.id).lean().exec())?.onlineReadingEnabled,
    ).toBe(false);
  });

  it('refuses the switch to a prosecutor and a lawyer (FORBIDDEN) and anonymous callers, changing nothing', async () => {
    const prosecutor = await h.call(wangSh, setOnlineReading, { id: huangpu.id, enabled: true });
    expect(prosecutor.data).toBeNull();
    expect(codes(prosecutor)).toEqual(['FORBIDDEN']);
    expect(
      codes(await h.call(zhangSan, setOnlineReading, { id: huangpu.id, enabled: true })),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await h.call(anonymous, setOnlineReading, { id: huangpu.id, enabled: true })),
    ).toEqual(['UNAUTHENTICATED']);
    expect(
      (await h.models.Procuratorate.findById(huangpu.id).lean().exec())?.onlineReadingEnabled,
    ).toBe(false);
  });

  it('answers NOT_FOUND for an unknown procuratorate', async () => {
    expect(
      codes(await h.call(admin, setOnlineReading, { id: 'XX-000000', enabled: true })),
    ).toEqual(['NOT_FOUND']);
    expect(await h.models.Procuratorate.exists({ _id: 'XX-000000' }).exec()).toBeNull();
  });
});
