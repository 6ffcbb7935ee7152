// Named fixtures: the people, procuratorates and cases the gateway tests talk about.
import { indexOwned, newId } from '@yuejuan/runtime';
import { idCheckCharacter } from '@yuejuan/identity/services';
import type { Stack } from './stack.ts';

/** A valid resident ID number from its first 17 digits (GB 11643 check character appended). */
export const idNumber = (first17: string): string => first17 + idCheckCharacter(first17);

export const zhangSan = {
  name: '张三',
  idNumber: idNumber('31010419850612301'),
  licenceNumber: '13101200510123456',
  lawFirm: '上海明理律师事务所',
};
export const liSi = {
  name: '李四',
  idNumber: idNumber('34010219880215402'),
  licenceNumber: '13401201110234567',
  lawFirm: '安徽正义律师事务所',
};
export const shanghai = {
  id: 'SH-310000',
  name: '上海市人民检察院',
  province: '上海市',
  onlineReadingEnabled: true,
};
export const guangdong = {
  id: 'GD-440000',
  name: '广东省人民检察院',
  province: '广东省',
  onlineReadingEnabled: false,
};

/** Imports the two lawyers, two procuratorates and a prosecutor; returns their ids. */
export async function seedPeople(stack: Stack) {
  const { identity, cases } = stack.services;
  await identity.registry.importLawyer(zhangSan);
  await identity.registry.importLawyer(liSi);
  await cases.cases.importProcuratorate(shanghai);
  await cases.cases.importProcuratorate(guangdong);
  await identity.registry.importProsecutor({
    name: '王检察官',
    username: 'wang.sh',
    procuratorateId: shanghai.id,
  });
  const lawyerId = async (licenceNumber: string) =>
    (await identity.models.Lawyer.findOne({ licenceNumber }).lean().exec())!._id;
  const prosecutor = (await identity.models.Prosecutor.findOne({ username: 'wang.sh' })
    .lean()
    .exec())!;
  return {
    zhangSanId: await lawyerId(zhangSan.licenceNumber),
    liSiId: await lawyerId(liSi.licenceNumber),
    prosecutorId: prosecutor._id,
  };
}

/** `n` cases at Shanghai, each with a binding application by `lawyerId` (every third approved). */
export async function seedApplications(
  stack: Stack,
  lawyerId: string,
  n: number,
  prefix = '沪检刑诉',
) {
  const { cases } = stack.services;
  for (let i = 1; i <= n; i++) {
    await cases.cases.importCase(shanghai.id, {
      departmentCaseNumber: `${prefix}〔2025〕${1000 + i}号`,
      caseName: `测试案件${i}`,
      suspects: [`嫌疑人${i}`],
      stage: 'PROSECUTION_REVIEW',
    });
  }
  const all = await cases.models.Case.find({ departmentCaseNumber: { $regex: `^${prefix}` } })
    .lean()
    .exec();
  const docs = all.map((c, i) => ({
    _id: newId(),
    lawyerId,
    caseId: c._id,
    procuratorateId: c.procuratorateId,
    status: i % 3 === 0 ? 'APPROVED' : 'SUBMITTED',
    lawyerRole: 'DEFENCE_COUNSEL',
    suspectName: c.suspects[0],
    clientName: c.suspects[0],
    clientRelation: 'SELF',
  }));
  // As the cases workflow writes them: into the owners' indexes (FerretDB's id sets), then them.
  await indexOwned(cases.models.BindingApplication, docs);
  await cases.models.BindingApplication.insertMany(docs);
}

/** A session for a lawyer (as if logged in by scan); returns the bearer token. */
export async function lawyerToken(stack: Stack, lawyerId: string): Promise<string> {
  return (
    await stack.services.identity.sessions.open({
      role: 'LAWYER',
      subjectId: lawyerId,
      method: 'SCAN',
    })
  ).token;
}
