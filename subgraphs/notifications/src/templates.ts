// One template per message kind (zh-CN). SMS texts use `${name}` placeholders, as Alibaba Cloud
// templates do; their variables are listed in the order positional providers (Tencent Cloud)
// take them. The same texts must be registered with the provider under SMS_TEMPLATE_IDS.
import { messageKinds, type MessageKind } from './models/notification.model.ts';

export interface Template {
  sms?: { text: string; variables: string[] };
  /** In-app notification: never a sensitive variable (checked at start-up). */
  inApp?: { title: string; body: string; variables: string[] };
}

/** Variables that are secrets: kept only until the SMS is sent, never logged, never in-app. */
export const sensitiveVariables: ReadonlySet<string> = new Set(['code', 'password']);

interface VariableRule {
  /** What a value must look like once normalised and clipped. */
  pattern: RegExp;
  default?: string;
  /** Longer values are cut with an ellipsis (provider variables are short). */
  maxLength?: number;
  normalize?: (value: string) => string;
}

/** An ISO 8601 time as Beijing time, `2025-07-01 18:00` (a plain date stays as it is). */
function beijingTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** What each variable may hold (checked on every /internal/sms request and for events). */
export const variableRules: Record<string, VariableRule> = {
  code: { pattern: /^\d{4,8}$/ },
  password: { pattern: /^[\x21-\x7e]{6,32}$/ },
  expiresInMinutes: { pattern: /^\d{1,3}$/, default: '5' },
  expiresAt: { pattern: /^[0-9年月日:\- ]{8,20}$/u, normalize: beijingTime },
  caseName: { pattern: /^[^\r\n]{1,20}$/u, default: '案件', maxLength: 20 },
  reason: { pattern: /^[\s\S]{1,30}$/u, default: '未注明', maxLength: 30 },
  applicationType: { pattern: /^(案件绑定申请|在线阅卷申请|辩护与代理预约)$/ },
  appointmentType: { pattern: /^(现场阅卷|听取意见)$/ },
  startsAt: { pattern: /^[0-9年月日:\- ]{8,20}$/u, normalize: beijingTime },
  location: { pattern: /^[^\r\n]{1,30}$/u, maxLength: 30 },
  supplement: { pattern: /^[^\r\n]{1,60}$/u, default: '补充卷宗', maxLength: 60 },
};

const codeNotice = '，${expiresInMinutes}分钟内有效。如非本人操作，请忽略本短信。';

export const templates: Record<MessageKind, Template> = {
  BINDING_APPROVED: {
    sms: {
      text: '您提交的“${caseName}”案件绑定申请已审核通过，请登录12309中国检察网在“我的案件”中查看。',
      variables: ['caseName'],
    },
    inApp: {
      title: '案件绑定申请已通过',
      body: '您对“${caseName}”的案件绑定申请已审核通过，可在“已绑定案件”中申请在线阅卷。',
      variables: ['caseName'],
    },
  },
  BINDING_REJECTED: {
    sms: { text: '您提交的案件绑定申请未通过审核，原因：${reason}。', variables: ['reason'] },
    inApp: {
      title: '案件绑定申请未通过',
      body: '您的案件绑定申请未通过审核，原因：${reason}。',
      variables: ['reason'],
    },
  },
  BINDING_MATERIALS_REQUESTED: {
    sms: {
      text: '您提交的案件绑定申请需补充材料：${reason}。请登录12309中国检察网补充后重新提交。',
      variables: ['reason'],
    },
    inApp: {
      title: '案件绑定申请需补充材料',
      body: '请补充以下材料后重新提交：${reason}。',
      variables: ['reason'],
    },
  },
  READING_APPROVED: {
    sms: {
      text: '您对“${caseName}”的在线阅卷申请已审核通过，卷宗制作完成后将短信通知您。',
      variables: ['caseName'],
    },
    inApp: {
      title: '在线阅卷申请已通过',
      body: '您对“${caseName}”的在线阅卷申请已审核通过，卷宗制作完成后将另行通知，可在“辩护与代理网上预约”中查看。',
      variables: ['caseName'],
    },
  },
  READING_REJECTED: {
    sms: { text: '您的在线阅卷申请未通过审核，原因：${reason}。', variables: ['reason'] },
    inApp: {
      title: '在线阅卷申请未通过',
      body: '您的在线阅卷申请未通过审核，原因：${reason}。',
      variables: ['reason'],
    },
  },
  PACKAGE_READY: {
    sms: {
      text: '您申请的${caseName}卷宗已制作完成，可登录12309中国检察网在“我的预约”中下载。卷宗下载密码：${password}，有效期至${expiresAt}，请勿泄露。',
      variables: ['caseName', 'password', 'expiresAt'],
    },
    inApp: {
      title: '卷宗已可下载',
      body: '您申请阅卷的卷宗已制作完成，可在“我的预约”中下载；下载密码已通过短信发送。',
      variables: [],
    },
  },
  DOCUMENT_PASSWORD: {
    sms: {
      text: '您下载的${caseName}卷宗文档打开密码：${password}，请妥善保管，勿泄露。',
      variables: ['caseName', 'password'],
    },
  },
  LOGIN_CODE: {
    sms: { text: `您的登录验证码为\${code}${codeNotice}`, variables: ['code', 'expiresInMinutes'] },
  },
  BINDING_PHONE_CODE: {
    sms: {
      text: `您正在绑定手机号码，验证码为\${code}${codeNotice}`,
      variables: ['code', 'expiresInMinutes'],
    },
  },
  PROSECUTOR_LOGIN_CODE: {
    sms: {
      text: `您正在登录检察人员工作台，验证码为\${code}${codeNotice}`,
      variables: ['code', 'expiresInMinutes'],
    },
  },
  BINDING_REVOKED: {
    sms: {
      text: '您的案件绑定已被检察院撤销，原因：${reason}。该案件的在线阅卷和卷宗下载已同时终止。',
      variables: ['reason'],
    },
    inApp: {
      title: '案件绑定已撤销',
      body: '您的案件绑定已被检察院撤销，原因：${reason}。该案件的在线阅卷预约已关闭，卷宗下载链接已失效。',
      variables: ['reason'],
    },
  },
  PACKAGE_REVOKED: {
    sms: {
      text: '您申请的${caseName}卷宗已被检察院撤回，原因：${reason}。如需阅卷，可登录12309中国检察网重新申请。',
      variables: ['caseName', 'reason'],
    },
    inApp: {
      title: '卷宗已撤回',
      body: '您申请的${caseName}卷宗已被检察院撤回，原因：${reason}。如需阅卷，可在“已绑定案件”中重新申请。',
      variables: ['caseName', 'reason'],
    },
  },
  PACKAGE_SUPPLEMENTED: {
    sms: {
      text: '您申请的${caseName}卷宗已补充：${supplement}。新的卷宗下载密码和文档打开密码将另行短信发送，可登录12309中国检察网在线阅卷或下载。',
      variables: ['caseName', 'supplement'],
    },
    inApp: {
      title: '卷宗已补充',
      body: '检察院为${caseName}补充了卷宗：${supplement}。可在“辩护与代理网上预约”中在线阅卷（补充的卷已标注）或重新下载；新的下载密码和文档打开密码已通过短信发送，原密码已失效。',
      variables: ['caseName', 'supplement'],
    },
  },
  PACKAGE_EXPIRING: {
    sms: {
      text: '您申请的${caseName}卷宗下载将于${expiresAt}到期，请及时登录12309中国检察网下载。到期后如需阅卷，请重新申请。',
      variables: ['caseName', 'expiresAt'],
    },
    inApp: {
      title: '卷宗即将到期',
      body: '您申请的${caseName}卷宗下载将于${expiresAt}到期，请及时在“辩护与代理网上预约”中下载。到期后如需阅卷，可在“已绑定案件”中重新申请。',
      variables: ['caseName', 'expiresAt'],
    },
  },
  APPOINTMENT_CONFIRMED: {
    sms: {
      text: '您预约的${caseName}${appointmentType}已确认，时间：${startsAt}，地点：${location}。请携带律师执业证按时到达。',
      variables: ['caseName', 'appointmentType', 'startsAt', 'location'],
    },
    inApp: {
      title: '预约已确认',
      body: '您预约的“${caseName}”${appointmentType}已确认，时间：${startsAt}，地点：${location}。可在“辩护与代理网上预约”中加入日历。',
      variables: ['caseName', 'appointmentType', 'startsAt', 'location'],
    },
  },
  APPOINTMENT_RESCHEDULED: {
    sms: {
      text: '您预约的${caseName}${appointmentType}已改期至${startsAt}，地点：${location}，原因：${reason}。',
      variables: ['caseName', 'appointmentType', 'startsAt', 'location', 'reason'],
    },
    inApp: {
      title: '预约已改期',
      body: '您预约的“${caseName}”${appointmentType}已改期至${startsAt}，地点：${location}，原因：${reason}。',
      variables: ['caseName', 'appointmentType', 'startsAt', 'location', 'reason'],
    },
  },
  APPOINTMENT_DECLINED: {
    sms: {
      text: '您预约的${caseName}${appointmentType}未获安排，原因：${reason}。如有需要，可重新预约。',
      variables: ['caseName', 'appointmentType', 'reason'],
    },
    inApp: {
      title: '预约未获安排',
      body: '您预约的“${caseName}”${appointmentType}未获安排，原因：${reason}。如有需要，可在“辩护与代理网上预约”中重新预约。',
      variables: ['caseName', 'appointmentType', 'reason'],
    },
  },
  NEW_APPLICATION: {
    inApp: {
      title: '新的待审核申请',
      body: '本院收到一件新的${applicationType}，请及时审核。',
      variables: ['applicationType'],
    },
  },
};

/** Kinds that can go out as SMS (the only kinds /internal/sms accepts). */
export const smsKinds = messageKinds.filter((k) => templates[k].sms);

const placeholders = (text: string) => [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);

/** Start-up check of every template against its declared variables; answers the problems found. */
export function checkTemplates(all: Record<string, Template> = templates): string[] {
  const problems: string[] = [];
  for (const kind of messageKinds) {
    const t = all[kind];
    if (!t || (!t.sms && !t.inApp)) {
      problems.push(`${kind}: no template`);
      continue;
    }
    const channels = [
      ['sms', t.sms?.text, t.sms?.variables],
      ['inApp', `${t.inApp?.title ?? ''}${t.inApp?.body ?? ''}`, t.inApp?.variables],
    ] as const;
    for (const [channel, text, variables] of channels) {
      if (!variables || text === undefined) continue;
      const used = new Set(placeholders(text));
      for (const name of used)
        if (!variables.includes(name))
          problems.push(`${kind}.${channel}: placeholder \${${name}} is not a declared variable`);
      for (const name of variables) {
        if (!used.has(name))
          problems.push(`${kind}.${channel}: variable ${name} is declared but not used`);
        if (!variableRules[name]) problems.push(`${kind}.${channel}: variable ${name} has no rule`);
        if (channel === 'inApp' && sensitiveVariables.has(name))
          problems.push(
            `${kind}.inApp: sensitive variable ${name} may not appear in an in-app notification`,
          );
      }
    }
  }
  return problems;
}

/** Fills a text's placeholders. */
export const render = (text: string, values: Record<string, string>): string =>
  text.replace(/\$\{([^}]*)\}/g, (_, name: string) => values[name] ?? '');

/** Cuts a value to its variable's length, with an ellipsis. */
function cut(name: string, v: string): string {
  const max = variableRules[name]?.maxLength;
  return max && [...v].length > max ? `${[...v].slice(0, max - 1).join('')}…` : v;
}

/** A value from an event, trimmed, normalised and cut to its variable's length (undefined when empty). */
export function clip(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const normalize = variableRules[name]?.normalize;
  return cut(name, normalize ? normalize(value.trim()) : value.trim());
}

/**
 * Checks the variables of an SMS of `kind`: every declared one present (or defaulted) and
 * well-formed, no other. Answers the values, or the problems (never echoing a value).
 */
export function checkSmsVariables(
  kind: MessageKind,
  input: Record<string, unknown>,
): { values: Record<string, string> } | { problems: string[] } {
  const declared = templates[kind].sms?.variables;
  if (!declared) return { problems: [`${kind} 不是短信类消息`] };
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const name of Object.keys(input))
    if (!declared.includes(name)) problems.push(`未知变量 ${name}`);
  for (const name of declared) {
    const rule = variableRules[name]!;
    const raw = input[name] ?? rule.default;
    const text =
      typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
    const value =
      text === undefined ? undefined : cut(name, rule.normalize ? rule.normalize(text) : text);
    if (value === undefined || !rule.pattern.test(value))
      problems.push(`变量 ${name} 缺失或格式不正确`);
    else values[name] = value;
  }
  return problems.length ? { problems } : { values };
}
