import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashIdNumber } from '../src/services/registry.service.ts';
import { startIdentity, type Harness } from './harness.ts';
import { wangProsecutor, wangWu, zhangSan } from './fixtures.ts';

const rejection = (field: string) =>
  expect.objectContaining({
    extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
  });

describe('registry import', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startIdentity('identity_registry');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('imports a lawyer idempotently, keyed by licence number', async () => {
    expect(await h.services.registry.importLawyer(zhangSan)).toBe('created');
    expect(
      await h.services.registry.importLawyer({ ...zhangSan, lawFirm: '上海新明理律师事务所' }),
    ).toBe('updated');
    const stored = await h.models.Lawyer.find({ licenceNumber: zhangSan.licenceNumber })
      .lean()
      .exec();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      name: zhangSan.name,
      lawFirm: '上海新明理律师事务所',
      idNumberMasked: '310104********3017',
    });
  });

  it('never stores the plain ID number, only its keyed hash and mask', async () => {
    await h.services.registry.importLawyer(zhangSan);
    const raw = await h.db.collection('lawyers').findOne({ licenceNumber: zhangSan.licenceNumber });
    const text = JSON.stringify(raw);
    expect(text).not.toContain(zhangSan.idNumber);
    expect(text).not.toContain(zhangSan.idNumber.slice(6, 14)); // the birth date digits
    expect(raw?.idNumberHash).toBe(hashIdNumber(h.config.YUEJUAN_ID_HASH_KEY, zhangSan.idNumber));
    expect(raw?.idNumberHash).not.toBe(
      hashIdNumber('another key of at least thirty-two characters', zhangSan.idNumber),
    );
  });

  it('accepts a lower-case x and stores it as X', async () => {
    expect(await h.services.registry.importLawyer(wangWu)).toBe('created');
    const raw = await h.db.collection('lawyers').findOne({ licenceNumber: wangWu.licenceNumber });
    expect(raw?.idNumberMasked).toBe('110105********005X');
    expect(raw?.idNumberHash).toBe(
      hashIdNumber(h.config.YUEJUAN_ID_HASH_KEY, wangWu.idNumber.toUpperCase()),
    );
    expect(JSON.stringify(raw)).not.toMatch(/11010519900307005/);
  });

  it('refuses invalid rows naming the field, storing nothing', async () => {
    const row = {
      name: '钱六',
      idNumber: '310104198506123018',
      licenceNumber: '13101200510999999',
      lawFirm: '上海明理律师事务所',
    };
    await expect(h.services.registry.importLawyer(row)).rejects.toThrow(rejection('idNumber'));
    await expect(
      h.services.registry.importLawyer({
        ...row,
        idNumber: zhangSan.idNumber,
        licenceNumber: '1310',
      }),
    ).rejects.toThrow(rejection('licenceNumber'));
    await expect(h.services.registry.importLawyer({ ...row, name: '  ' })).rejects.toThrow(
      rejection('姓名'),
    );
    expect(await h.models.Lawyer.countDocuments({ name: '钱六' }).exec()).toBe(0);
  });

  it('imports a prosecutor idempotently, keyed by username', async () => {
    expect(
      await h.services.registry.importProsecutor({ ...wangProsecutor, username: 'Wang.SH' }),
    ).toBe('created');
    expect(await h.services.registry.importProsecutor({ ...wangProsecutor, name: '王检' })).toBe(
      'updated',
    );
    const stored = await h.models.Prosecutor.find({ username: wangProsecutor.username })
      .lean()
      .exec();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      name: '王检',
      procuratorateId: wangProsecutor.procuratorateId,
      phone: wangProsecutor.phone,
    });
    await expect(
      h.services.registry.importProsecutor({
        ...wangProsecutor,
        username: 'li.sh',
        phone: '12345',
      }),
    ).rejects.toThrow(rejection('phone'));
  });

  it('imports an administrator keyed by username: a second import updates the name', async () => {
    expect(
      await h.services.registry.importAdministrator({ name: '平台管理员', username: 'Admin' }),
    ).toBe('created');
    expect(
      await h.services.registry.importAdministrator({ name: '系统管理员', username: 'admin' }),
    ).toBe('updated');
    const stored = await h.models.Administrator.find({}).lean().exec();
    expect(stored.map((a) => [a.username, a.name])).toEqual([['admin', '系统管理员']]);
    await expect(
      h.services.registry.importAdministrator({ name: 'x', username: 'a b' }),
    ).rejects.toThrow(rejection('username'));
  });
});
