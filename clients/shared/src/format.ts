// Chinese labels of the API's enums (each covers its whole enum: `satisfies` fails the build
// when the schema adds a value) and small formatters, shared by the three apps.
import type { EnumOf } from './graphql.ts';

export const bindingStatusLabels: Record<string, string> = {
  SUBMITTED: '待审核',
  MATERIALS_REQUESTED: '待补充材料',
  APPROVED: '已通过',
  REJECTED: '未通过',
  WITHDRAWN: '已撤回',
  REVOKED: '已撤销',
} satisfies Record<EnumOf<'BindingStatus'>, string>;
export const readingStatusLabels: Record<string, string> = {
  SUBMITTED: '待审核',
  APPROVED: '已通过，卷宗制作中',
  FILE_READY: '卷宗可下载',
  DOWNLOADED: '已下载',
  REJECTED: '未通过',
} satisfies Record<EnumOf<'ReadingStatus'>, string>;
export const appointmentStatusLabels: Record<string, string> = {
  WAITING_FOR_FILE: '等待卷宗',
  FILE_READY: '卷宗可下载',
  REQUESTED: '待确认',
  CONFIRMED: '已确认',
  CLOSED: '已结束',
} satisfies Record<EnumOf<'AppointmentStatus'>, string>;
export const appointmentTypeLabels: Record<string, string> = {
  ONLINE_READING: '在线阅卷',
  IN_PERSON_READING: '现场阅卷',
  OPINION_HEARING: '听取意见',
} satisfies Record<EnumOf<'AppointmentType'>, string>;
export const packageStatusLabels: Record<string, string> = {
  PREPARING: '制作中',
  READY: '可下载',
  FAILED: '制作失败',
  EXPIRED: '已过期',
  REVOKED: '已撤回',
} satisfies Record<EnumOf<'PackageStatus'>, string>;
export const ticketStatusLabels: Record<string, string> = {
  PENDING: '请使用“中国律师身份核验”扫描二维码',
  SCANNED: '已扫码，请在手机上确认登录',
  CONFIRMED: '已确认，正在登录…',
  REJECTED: '已在手机上拒绝登录',
  EXPIRED: '二维码已过期，正在刷新…',
  REDEEMED: '已登录',
} satisfies Record<EnumOf<'LoginTicketStatus'>, string>;
export const challengeStatusLabels: Record<string, string> = {
  PENDING: '请使用“中国律师身份核验”扫描二维码',
  CONFIRMED: '身份核验通过',
  USED: '身份核验已使用',
  EXPIRED: '二维码已过期，正在刷新…',
} satisfies Record<EnumOf<'ChallengeStatus'>, string>;
export const lawyerRoleLabels: Record<string, string> = {
  DEFENCE_COUNSEL: '辩护人',
  AGENT: '诉讼代理人',
} satisfies Record<EnumOf<'LawyerRole'>, string>;
export const clientRelationLabels: Record<string, string> = {
  SELF: '本人',
  RELATIVE: '近亲属',
  GUARDIAN: '监护人',
  LEGAL_AID: '法律援助',
  OTHER: '其他',
} satisfies Record<EnumOf<'ClientRelation'>, string>;
export const attachmentKindLabels: Record<string, string> = {
  POWER_OF_ATTORNEY: '授权委托书',
  LEGAL_AID_LETTER: '法律援助公函',
  LAW_FIRM_LETTER: '律师事务所函/证明',
  LICENCE: '律师执业证',
  CLIENT_ID: '委托人身份证明',
  RELATION_PROOF: '关系证明',
} satisfies Record<EnumOf<'AttachmentKind'>, string>;
export const caseStageLabels: Record<string, string> = {
  ARREST_REVIEW: '审查逮捕',
  PROSECUTION_REVIEW: '审查起诉',
  TRIAL: '已起诉',
  CLOSED: '已结案',
} satisfies Record<EnumOf<'CaseStage'>, string>;
export const stepUpPurposeLabels: Record<string, string> = {
  BIND_CASE: '案件绑定申请',
  APPOINTMENT: '辩护与代理网上预约',
  READING_APPLICATION: '申请在线阅卷',
  DOWNLOAD: '卷宗下载',
  READ_ONLINE: '在线阅卷',
  MANAGE_DEVICES: '核验设备管理',
  PASSWORD: '设置登录密码',
  AUTHORIZE_APP: '授权第三方应用',
} satisfies Record<EnumOf<'StepUpPurpose'>, string>;
/** 遮蔽 categories (why a part of a case file is not shown). */
export const redactionCategoryLabels: Record<string, string> = {
  PERSONAL_DATA: '被害人、证人个人信息',
  MINOR: '未成年人信息',
  STATE_SECRET: '国家秘密',
  OTHER: '其他不宜公开内容',
} satisfies Record<EnumOf<'RedactionCategory'>, string>;
export const loginMethodLabels: Record<string, string> = {
  SCAN: '扫码登录（已核验身份）',
  SMS_CODE: '手机号+验证码',
  PASSWORD: '手机号+密码',
  PROSECUTOR: '检察人员登录',
  ADMINISTRATOR: '管理员登录',
} satisfies Record<EnumOf<'LoginMethod'>, string>;
export const messageKindLabels: Record<string, string> = {
  BINDING_APPROVED: '绑定通过',
  BINDING_REJECTED: '绑定未通过',
  BINDING_MATERIALS_REQUESTED: '补充材料',
  READING_APPROVED: '阅卷通过',
  READING_REJECTED: '阅卷未通过',
  PACKAGE_READY: '卷宗可下载',
  DOCUMENT_PASSWORD: '文档打开密码',
  LOGIN_CODE: '登录验证码',
  BINDING_PHONE_CODE: '绑定手机验证码',
  PROSECUTOR_LOGIN_CODE: '检察人员登录验证码',
  NEW_APPLICATION: '新申请',
  BINDING_REVOKED: '绑定已撤销',
  PACKAGE_REVOKED: '卷宗已撤回',
  PACKAGE_EXPIRING: '卷宗即将到期',
  PACKAGE_SUPPLEMENTED: '卷宗已补充',
  APPOINTMENT_CONFIRMED: '预约已确认',
  APPOINTMENT_RESCHEDULED: '预约已改期',
  APPOINTMENT_DECLINED: '预约未获安排',
} satisfies Record<EnumOf<'MessageKind'>, string>;

/** A label, or the raw value when the API added a value the client does not know yet. */
export const label = (labels: Record<string, string>, value: string | null | undefined): string =>
  value ? (labels[value] ?? value) : '';

/** 1536 → "1.5 KB"; sizes as people read them. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** An ISO instant in Beijing time, "2025-03-01 14:05:09". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** A reception slot's time in Beijing, `2026-12-07 周一 09:00–11:30`. */
export function formatSlot(
  startsAt: string | null | undefined,
  endsAt: string | null | undefined,
): string {
  if (!startsAt || !endsAt) return '—';
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return '—';
  const parts = (d: Date) =>
    new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).formatToParts(d);
  const get = (p: Intl.DateTimeFormatPart[], t: string) => p.find((x) => x.type === t)?.value ?? '';
  const s = parts(start);
  const e = parts(end);
  return `${get(s, 'year')}-${get(s, 'month')}-${get(s, 'day')} ${get(s, 'weekday')} ${get(s, 'hour')}:${get(s, 'minute')}–${get(e, 'hour')}:${get(e, 'minute')}`;
}

/** Input checks the clients make before asking the API (the API checks again). */
export const patterns = {
  phone: /^1[3-9]\d{9}$/,
  licence: /^\d{17}$/,
  smsCode: /^\d{4,8}$/,
};

/** GB 11643 check of an 18-character resident ID number. */
export function isResidentId(value: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(value)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  return '10X98765432'[sum % 11] === value[17]!.toUpperCase();
}
