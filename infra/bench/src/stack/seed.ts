import { connectMongo, ensureIndexes, newId } from '@yuejuan/runtime';
import { createIdentityServices, idCheckCharacter } from '@yuejuan/identity/services';
import { createCasesServices } from '@yuejuan/cases/services';

export interface SeedSizes {
  /** Cases at the procuratorates, each with one binding application by the lawyer. */
  cases: number;
  /** How many of those applications are approved (bound cases). */
  approved: number;
  notifications: number;
  unread: number;
}

export const defaultSizes: SeedSizes = { cases: 60, approved: 55, notifications: 12, unread: 5 };

export interface DatabaseNames {
  identity: string;
  cases: string;
  reading: string;
  notifications: string;
  events: string;
}

export interface Seeded {
  lawyerId: string;
  /** A real lawyer session (as after a scan login): the bearer token the load sends. */
  token: string;
  sizes: SeedSizes;
}

const procuratorates = [
  { id: 'SH-310000', name: '上海市人民检察院', province: '上海市', onlineReadingEnabled: true },
  { id: 'BJ-110000', name: '北京市人民检察院', province: '北京市', onlineReadingEnabled: true },
  { id: 'GD-440000', name: '广东省人民检察院', province: '广东省', onlineReadingEnabled: true },
];

/**
 * The data of the two portal operations through the subgraphs' own services: three
 * procuratorates, a lawyer with `cases` binding applications (`approved` of them approved),
 * notifications (`unread` unread), and a session for that lawyer.
 */
export async function seedBench(
  mongoUri: string,
  db: DatabaseNames,
  idHashKey: string,
  sizes: SeedSizes = defaultSizes,
  index = 1,
): Promise<Seeded> {
  // Several lawyers (index 1–9) can be seeded into the same databases, each with own cases.
  if (!Number.isInteger(index) || index < 1 || index > 9) throw new Error('seed index must be 1–9');
  if (sizes.cases > 999) throw new Error('at most 999 cases per lawyer');
  const conns = {
    identity: await connectMongo(mongoUri, db.identity),
    cases: await connectMongo(mongoUri, db.cases),
    notifications: await connectMongo(mongoUri, db.notifications),
  };
  try {
    const identity = createIdentityServices(conns.identity, {
      idHashKey,
      ttlSeconds: 12 * 3600,
      verifiedWindowSeconds: 1800,
    } as Parameters<typeof createIdentityServices>[1]);
    const cases = createCasesServices(conns.cases);
    for (const c of [conns.identity, conns.cases]) await ensureIndexes(c);

    const first17 = `310104198506123${String(index).padStart(2, '0')}`;
    const lawyer = {
      name: `张三${index === 1 ? '' : index}`,
      idNumber: first17 + idCheckCharacter(first17),
      licenceNumber: `131012005101234${String(index).padStart(2, '0')}`,
      lawFirm: '上海明理律师事务所',
    };
    await identity.registry.importLawyer(lawyer);
    const lawyerId = (await identity.models.Lawyer.findOne({ licenceNumber: lawyer.licenceNumber })
      .lean()
      .exec())!._id as string;
    for (const p of procuratorates) await cases.cases.importProcuratorate(p);
    for (let i = 1; i <= sizes.cases; i++) {
      const p = procuratorates[i % procuratorates.length]!;
      await cases.cases.importCase(p.id, {
        departmentCaseNumber: `检刑诉〔2025〕${index}${String(i).padStart(3, '0')}号`,
        caseName: `压测案件${index}-${i}`,
        suspects: [`嫌疑人${i}`],
        stage: 'PROSECUTION_REVIEW',
      });
    }
    const all = await cases.models.Case.find({
      departmentCaseNumber: { $regex: `^检刑诉〔2025〕${index}\\d{3}号$` },
    })
      .sort({ departmentCaseNumber: 1 })
      .lean()
      .exec();
    await cases.models.BindingApplication.insertMany(
      all.map((c, i) => ({
        lawyerId,
        caseId: c._id,
        procuratorateId: c.procuratorateId,
        status: i < sizes.approved ? 'APPROVED' : 'SUBMITTED',
        lawyerRole: 'DEFENCE_COUNSEL',
        suspectName: c.suspects[0],
        clientName: c.suspects[0],
        clientRelation: 'SELF',
      })),
    );
    // Written in the shape of the notifications model (subgraphs/notifications/src/models/
    // notification.model.ts): its services need the bus, SMS and config, which seeding does not.
    await conns.notifications.collection('notifications').insertMany(
      Array.from({ length: sizes.notifications }, (_, i) => ({
        _id: newId() as never,
        recipientId: lawyerId,
        recipientRole: 'LAWYER',
        kind: 'BINDING_APPROVED',
        title: '案件绑定申请已通过',
        body: '您的案件绑定申请已审核通过。',
        readAt: i < sizes.unread ? null : new Date(),
        createdAt: new Date(Date.now() - i * 60_000),
      })),
    );
    const { token } = await identity.sessions.open({
      role: 'LAWYER',
      subjectId: lawyerId,
      method: 'SCAN',
    });
    return { lawyerId, token, sizes };
  } finally {
    await Promise.all(Object.values(conns).map((c) => c.close()));
  }
}
