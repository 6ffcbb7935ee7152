// Named fixtures of the identity tests: lawyers of the register, a prosecutor, an administrator.
import { idCheckCharacter } from '../src/services/validation.ts';
import type { Harness } from './harness.ts';

// Literal ID numbers with their GB 11643 check characters (not computed by the code under test).
export const zhangSan = {
  name: '张三',
  idNumber: '310104198506123017',
  licenceNumber: '13101200510123456',
  lawFirm: '上海明理律师事务所',
};
export const liSi = {
  name: '李四',
  idNumber: '340102198802154021',
  licenceNumber: '13401201110234567',
  lawFirm: '安徽正义律师事务所',
};
/** Check character X, imported in lower case as some registers write it. */
export const wangWu = {
  name: '王五',
  idNumber: '11010519900307005x',
  licenceNumber: '11101201810345678',
  lawFirm: '北京守正律师事务所',
};
export const wangProsecutor = {
  name: '王检察官',
  username: 'wang.sh',
  procuratorateId: 'SH-310000',
  phone: '13900001111',
};
export const zhaoProsecutor = {
  name: '赵检察官',
  username: 'zhao.gd',
  procuratorateId: 'GD-440000',
};

/** Imports the fixtures through the registry service; returns their ids. */
export async function seedPeople(h: Harness) {
  const { registry } = h.services;
  for (const lawyer of [zhangSan, liSi, wangWu]) await registry.importLawyer(lawyer);
  await registry.importProsecutor(wangProsecutor);
  await registry.importProsecutor(zhaoProsecutor);
  await registry.importAdministrator({ name: '平台管理员', username: 'admin' });
  const lawyerId = async (licenceNumber: string) =>
    (await h.models.Lawyer.findOne({ licenceNumber }).lean().exec())!._id;
  const prosecutorId = async (username: string) =>
    (await h.models.Prosecutor.findOne({ username }).lean().exec())!._id;
  const administrator = (await h.models.Administrator.findOne({ username: 'admin' })
    .lean()
    .exec())!;
  return {
    zhangSanId: await lawyerId(zhangSan.licenceNumber),
    liSiId: await lawyerId(liSi.licenceNumber),
    wangWuId: await lawyerId(wangWu.licenceNumber),
    wangId: await prosecutorId(wangProsecutor.username),
    zhaoId: await prosecutorId(zhaoProsecutor.username),
    adminId: administrator._id,
  };
}
export type People = Awaited<ReturnType<typeof seedPeople>>;

/** Opens a real session and resolves it as the gateway would: the identity its token carries. */
export async function loggedIn(
  h: Harness,
  session: Parameters<Harness['services']['sessions']['open']>[0],
) {
  const { token, session: doc } = await h.services.sessions.open(session);
  const identity = await h.services.sessions.resolve(token);
  if (!identity) throw new Error('fixture session did not resolve');
  return { token, identity, session: doc };
}

/** `n` more lawyers of the register (律师0..), imported through the registry; returns their ids in order. */
export async function seedRegister(h: Harness, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const first17 = `3201021979091${String(1000 + i)}`;
    const licenceNumber = `132012009${String(10000000 + i)}`;
    await h.services.registry.importLawyer({
      name: `律师${i}`,
      idNumber: first17 + idCheckCharacter(first17),
      licenceNumber,
      lawFirm: '江苏法正律师事务所',
    });
    ids.push((await h.models.Lawyer.findOne({ licenceNumber }).lean().exec())!._id);
  }
  return ids;
}
