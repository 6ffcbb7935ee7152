// Named fixtures of the cases tests: procuratorates, their prosecutors, lawyers, cases and
// binding applications, arranged through the services and models.
import { indexOwned, newId, type Identity } from '@yuejuan/runtime';
import { adminIdentity, lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import type { CaseInput } from '../src/services/index.ts';
import type { Harness } from './harness.ts';

export const shanghai = {
  id: 'SH-310000',
  name: '上海市人民检察院',
  province: '上海市',
  onlineReadingEnabled: true,
};
export const huangpu = {
  id: 'SH-310101',
  name: '上海市黄浦区人民检察院',
  province: '上海市',
  onlineReadingEnabled: false,
};
export const anhui = {
  id: 'AH-340000',
  name: '安徽省人民检察院',
  province: '安徽省',
  onlineReadingEnabled: true,
};
export const guangdong = {
  id: 'GD-440000',
  name: '广东省人民检察院',
  province: '广东省',
  onlineReadingEnabled: false,
};

/** 王检察官 of Shanghai, 赵检察官 of Guangdong; lawyers 张三 and 李四 (ids as the identity subgraph gives them). */
export const wangSh = prosecutorIdentity('prosecutor-wang', shanghai.id);
export const zhaoGd = prosecutorIdentity('prosecutor-zhao', guangdong.id);
export const zhangSanId = 'lawyer-zhangsan';
export const liSiId = 'lawyer-lisi';
export const zhangSan = lawyerIdentity(zhangSanId);
export const liSi = lawyerIdentity(liSiId);
export const admin = adminIdentity('admin-1');

export const theftCase: CaseInput = {
  departmentCaseNumber: '沪检刑诉〔2025〕101号',
  caseName: '李某盗窃案',
  suspects: ['李某'],
  stage: 'PROSECUTION_REVIEW',
};
export const fraudCase: CaseInput = {
  departmentCaseNumber: '粤检刑诉〔2025〕202号',
  caseName: '陈某诈骗案',
  suspects: ['陈某', '周某'],
  stage: 'ARREST_REVIEW',
};

/** Imports the four procuratorates. */
export async function seedProcuratorates(h: Harness) {
  for (const p of [shanghai, huangpu, anhui, guangdong])
    await h.services.cases.importProcuratorate(p);
}

/** Imports one case and returns its id. */
export async function seedCase(
  h: Harness,
  procuratorateId: string,
  input: CaseInput,
): Promise<string> {
  await h.services.cases.importCase(procuratorateId, input);
  return (await h.models.Case.findOne({
    procuratorateId,
    departmentCaseNumber: input.departmentCaseNumber,
  })
    .lean()
    .exec())!._id;
}

/** `n` cases at a procuratorate (案件1..n); returns their ids in creation order. */
export async function seedCases(
  h: Harness,
  procuratorateId: string,
  n: number,
  prefix: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    ids.push(
      await seedCase(h, procuratorateId, {
        departmentCaseNumber: `${prefix}〔2025〕${1000 + i}号`,
        caseName: `${prefix}案件${i}`,
        suspects: [`嫌疑人${i}`],
        stage: 'PROSECUTION_REVIEW',
      }),
    );
  }
  return ids;
}

type Status =
  'SUBMITTED' | 'MATERIALS_REQUESTED' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | 'REVOKED';

/** Binding applications of a lawyer for cases, one per case, with the given statuses; returns their ids in creation order. */
export async function seedApplications(
  h: Harness,
  lawyerId: string,
  caseIds: string[],
  status: (i: number) => Status,
): Promise<string[]> {
  const cases = await h.models.Case.find({ _id: { $in: caseIds } })
    .lean()
    .exec();
  const byId = new Map(cases.map((c) => [c._id, c]));
  const ids: string[] = [];
  for (const [i, caseId] of caseIds.entries()) {
    const c = byId.get(caseId)!;
    const doc = {
      _id: newId(),
      lawyerId,
      caseId,
      procuratorateId: c.procuratorateId,
      status: status(i),
      lawyerRole: 'DEFENCE_COUNSEL' as const,
      suspectName: c.suspects[0],
      clientName: c.suspects[0],
      clientRelation: 'SELF' as const,
    };
    // As the workflow writes it: into the owners' indexes (FerretDB's id sets), then the document.
    await indexOwned(h.models.BindingApplication, [doc]);
    await h.models.BindingApplication.create(doc);
    ids.push(doc._id);
  }
  return ids;
}

/** Tiny but real-looking files: the magic bytes are what the upload route checks. */
export const files = {
  pdf: Buffer.concat([
    Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
    Buffer.alloc(2000, 0x20),
    Buffer.from('\n%%EOF\n'),
  ]),
  jpeg: Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF'),
    Buffer.alloc(1000, 7),
    Buffer.from([0xff, 0xd9]),
  ]),
  png: Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(1000, 3),
  ]),
  text: Buffer.from('这不是PDF，只是一段文字。'),
};

/** Uploads one attachment through the route; answers the status and JSON body. */
export async function uploadAttachment(
  h: Harness,
  identity: Identity,
  kind: string,
  fileName: string,
  contentType: string,
  body: Buffer,
) {
  const res = await h.route(
    identity,
    `/uploads/attachments?kind=${kind}&fileName=${encodeURIComponent(fileName)}`,
    { method: 'POST', headers: { 'content-type': contentType }, body },
  );
  return {
    status: res.status,
    body: (await res.json()) as { id: string; code?: string; sizeBytes?: number },
  };
}

/** The full set of materials of flow 3 for a client who is the suspect; returns their ids. */
export async function uploadMaterials(h: Harness, identity: Identity): Promise<string[]> {
  const ids: string[] = [];
  for (const [kind, name] of [
    ['POWER_OF_ATTORNEY', '授权委托书.pdf'],
    ['LAW_FIRM_LETTER', '律师事务所函.pdf'],
    ['LICENCE', '执业证.jpg'],
  ] as const) {
    const r = await uploadAttachment(
      h,
      identity,
      kind,
      name,
      name.endsWith('.jpg') ? 'image/jpeg' : 'application/pdf',
      name.endsWith('.jpg') ? files.jpeg : files.pdf,
    );
    if (r.status !== 201) throw new Error(`upload failed: ${JSON.stringify(r.body)}`);
    ids.push(r.body.id);
  }
  return ids;
}
