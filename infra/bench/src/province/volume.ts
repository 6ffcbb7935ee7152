// What a year of one province looks like (issue 17, part 6), and the deterministic helpers the
// seeder draws it with: the same size always yields the same documents.

/** A year of one province at 100 %. Procuratorates and their prosecutors do not scale. */
export const fullYear = {
  lawyers: 50_000,
  cases: 200_000,
  bindingApplications: 500_000,
  readingApplications: 200_000,
  notifications: 2_000_000,
} as const;

/** The province's procuratorates: the provincial one, 16 city ones, 7 basic ones per city. */
export const cities = [
  '合肥',
  '芜湖',
  '蚌埠',
  '淮南',
  '马鞍山',
  '淮北',
  '铜陵',
  '安庆',
  '黄山',
  '滁州',
  '阜阳',
  '宿州',
  '六安',
  '亳州',
  '池州',
  '宣城',
] as const;
export const basicPerCity = 7;
export const prosecutorsPerProcuratorate = 3;
/** Share of lawyers who registered on the portal (they have a phone, a device, sessions). */
export const registeredShare = 0.8;
/** Past (expired or ended) login sessions per registered lawyer in the year. */
export const sessionsPerRegisteredLawyer = 8;

/** Counts at `percent` % of the full year (at least one of each). */
export function volumesAt(percent: number) {
  const of = (n: number) => Math.max(1, Math.round((n * percent) / 100));
  return {
    lawyers: of(fullYear.lawyers),
    cases: of(fullYear.cases),
    bindingApplications: of(fullYear.bindingApplications),
    readingApplications: of(fullYear.readingApplications),
    notifications: of(fullYear.notifications),
  };
}
export type Volumes = ReturnType<typeof volumesAt>;

/** A 32-bit hash of (stream, index): every generated value is a pure function of its index. */
export function hash(stream: number, index: number): number {
  let h = (Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
/** A number in [0, 1) from (stream, index). */
export const unit = (stream: number, index: number): number => hash(stream, index) / 2 ** 32;
export const pick = <T>(list: readonly T[], stream: number, index: number): T =>
  list[hash(stream, index) % list.length]!;

/**
 * A time-ordered 24-hex id (an ObjectId's shape, as `newId` makes them): the second it stands
 * for, then the entity kind and its index, so ids are unique per kind and `_id` order is time order.
 */
export function idAt(at: Date, kind: number, index: number): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return (
    seconds.toString(16).padStart(8, '0') +
    kind.toString(16).padStart(4, '0') +
    index.toString(16).padStart(12, '0')
  );
}

const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const given =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏建华红梅飞鑫波斌宇浩凯健俊帆帅旭宁';
/** A plausible Chinese name. */
export const personName = (stream: number, index: number): string =>
  surnames[hash(stream, index) % surnames.length]! +
  given[hash(stream + 1, index) % given.length]! +
  (unit(stream + 2, index) < 0.6 ? given[hash(stream + 3, index) % given.length]! : '');

export const crimes = [
  '盗窃',
  '诈骗',
  '故意伤害',
  '危险驾驶',
  '帮助信息网络犯罪活动',
  '开设赌场',
  '非法吸收公众存款',
  '寻衅滋事',
  '贩卖毒品',
  '职务侵占',
] as const;
