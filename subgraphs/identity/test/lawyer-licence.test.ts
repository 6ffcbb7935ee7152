// A lawyer by licence number (执业证号) without reading the whole lawyers collection on FerretDB
// (models/owned.ts: key documents `<licenceNumber>` → lawyer id), the same answers on MongoDB
// from the lawyers' unique index.
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, newId } from '@yuejuan/runtime';
import { anonymous } from '@yuejuan/runtime/testing';
import { hashIdNumber, maskIdNumber } from '../src/services/index.ts';
import { startIdentity, type Harness } from './harness.ts';
import { liSi, zhangSan } from './fixtures.ts';
import { activationOps, personalInfo } from './verifier.ts';

describe('lawyers by licence number', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIdentity('identity_licences');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const start = (person: typeof zhangSan) =>
    h.call(anonymous, activationOps.start, { input: personalInfo(person) });

  it('finds lawyers an older version stored without key documents (built once, on first use)', async () => {
    // As the register import wrote it before the key documents: the document alone.
    const legacyId = newId();
    await h.models.Lawyer.create({
      _id: legacyId,
      name: liSi.name,
      licenceNumber: liSi.licenceNumber,
      idNumberHash: hashIdNumber(h.config.YUEJUAN_ID_HASH_KEY, liSi.idNumber),
      idNumberMasked: maskIdNumber(liSi.idNumber),
      lawFirm: liSi.lawFirm,
    });
    const started = await start(liSi);
    expect(started.errors).toBeUndefined();
    const activation = await h.db
      .collection('activations')
      .findOne({ _id: started.data.startActivation.id as never });
    expect(activation).toMatchObject({ lawyerId: legacyId }); // matched the register
    expect(activation?.unmatched).toBeUndefined();
    // Importing the row again updates that lawyer.
    expect(await h.services.registry.importLawyer({ ...liSi, lawFirm: '新所' })).toBe('updated');
    expect(await h.models.Lawyer.countDocuments({ licenceNumber: liSi.licenceNumber })).toBe(1);
  });

  it('creates one lawyer of 10 concurrent imports of one row', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.services.registry.importLawyer(zhangSan)),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(await h.models.Lawyer.countDocuments({ licenceNumber: zhangSan.licenceNumber })).toBe(1);
  });

  it('checks the register at activation with _id reads only on FerretDB', async () => {
    const reads: { collection: string; filter: Document }[] = [];
    const listener = (e: { databaseName: string; commandName: string; command: Document }) => {
      if (e.databaseName === h.db.name && e.commandName === 'find')
        reads.push({ collection: String(e.command.find), filter: e.command.filter as Document });
    };
    h.db.getClient().on('commandStarted', listener);
    let started;
    try {
      started = await start(zhangSan);
    } finally {
      h.db.getClient().off('commandStarted', listener);
    }
    expect(started.data.startActivation.status).toBe('INFO_VERIFIED');
    const lawyerId = (await h.models.Lawyer.findOne({ licenceNumber: zhangSan.licenceNumber }))!
      ._id;
    expect(
      await h.db.collection('activations').findOne({ _id: started.data.startActivation.id }),
    ).toMatchObject({ lawyerId });
    const onLawyers = reads.filter((r) => ['lawyers', 'lawyer_licences'].includes(r.collection));
    if ((await databaseKind(h.db.getClient())) === 'ferretdb')
      expect(onLawyers.every((r) => '_id' in r.filter)).toBe(true);
    else
      expect(onLawyers).toEqual([
        { collection: 'lawyers', filter: { licenceNumber: zhangSan.licenceNumber } },
      ]);
    // An unknown licence number is answered the same way, and finds nobody.
    const unknown = await start({ ...zhangSan, licenceNumber: '19999999999999999' });
    expect(unknown.data.startActivation.status).toBe('INFO_VERIFIED');
  });
});
