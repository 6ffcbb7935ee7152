// Named fixtures of the cases tests: procuratorates, their prosecutors, lawyers, cases and
// binding applications, arranged through the services and models.
import { adminIdentity, lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import type { CaseInput } from '../src/services/index.ts';
import type { Harness } from './harness.ts';

export const shanghai = { id: 'SH-310000', name: '上海市人民检察院', province: '上海市', onlineReadingEnabled: true };
export const huangpu = { id: 'SH-310101', name: '上海市黄浦区人民检察院', province: '上海市', onlineReadingEnabled: false };
export const anhui = { id: 'AH-340000', name: '安徽省人民检察院', province: '安徽省', onlineReadingEnabled: true };
export const guangdong = { id: 'GD-440000', name: '广东省人民检察院', province: '广东省', onlineReadingEnabled: false };

/** 王检察官 of Shanghai, 赵检察官 of Guangdong; lawyers 张三 and 李四 (ids as the identity subgraph gives them). */
export const wangSh = prosecutorIdentity('prosecutor-wang', shanghai.id);
export const zhaoGd = prosecutorIdentity('prosecutor-zhao', guangdong.id);
export const zhangSanId = 'lawyer-zhangsan';
export const liSiId = 'lawyer-lisi';
export const zhangSan = lawyerIdentity(zhangSanId);
export const liSi = lawyerIdentity(liSiId);
export const admin = adminIdentity('admin-1');

export const theftCase: CaseInput = { departmentCaseNumber: '沪检刑诉〔2025〕101号', caseName: '李某盗窃案', suspects: ['李某'], stage: 'PROSECUTION_REVIEW' };
export const fraudCase: CaseInput = { departmentCaseNumber: '粤检刑诉〔2025〕202号', caseName: '陈某诈骗案', suspects: ['陈某', '周某'], stage: 'ARREST_REVIEW' };

/** Imports the four procuratorates. */
export async function seedProcuratorates(h: Harness) {
  for (const p of [shanghai, huangpu, anhui, guangdong]) await h.services.cases.importProcuratorate(p);
}

/** Imports one case and returns its id. */
export async function seedCase(h: Harness, procuratorateId: string, input: CaseInput): Promise<string> {
  await h.services.cases.importCase(procuratorateId, input);
  return (await h.models.Case.findOne({ procuratorateId, departmentCaseNumber: input.departmentCaseNumber }).lean().exec())!._id;
}

/** `n` cases at a procuratorate (案件1..n); returns their ids in creation order. */
export async function seedCases(h: Harness, procuratorateId: string, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    ids.push(await seedCase(h, procuratorateId, { departmentCaseNumber: `${prefix}〔2025〕${1000 + i}号`, caseName: `${prefix}案件${i}`, suspects: [`嫌疑人${i}`], stage: 'PROSECUTION_REVIEW' }));
  }
  return ids;
}

type Status = 'SUBMITTED' | 'MATERIALS_REQUESTED' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | 'REVOKED';

/** Binding applications of a lawyer for cases, one per case, with the given statuses; returns their ids in creation order. */
export async function seedApplications(h: Harness, lawyerId: string, caseIds: string[], status: (i: number) => Status): Promise<string[]> {
  const cases = await h.models.Case.find({ _id: { $in: caseIds } }).lean().exec();
  const byId = new Map(cases.map((c) => [c._id, c]));
  const ids: string[] = [];
  for (const [i, caseId] of caseIds.entries()) {
    const c = byId.get(caseId)!;
    const doc = await h.models.BindingApplication.create({
      lawyerId, caseId, procuratorateId: c.procuratorateId, status: status(i),
      lawyerRole: 'DEFENCE_COUNSEL', suspectName: c.suspects[0], clientName: c.suspects[0], clientRelation: 'SELF',
    });
    ids.push(doc._id);
  }
  return ids;
}
