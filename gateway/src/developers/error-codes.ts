// The developer page's table of error codes (`extensions.code`). Which codes exist comes from
// where they are documented: each subgraph SDL's header comment ("Errors: ...", the contract a
// client reads) and the gateway's own codes below (a unit test checks that every code literal
// in gateway/src is listed). The Chinese explanations are written here once per code; a code
// found in the sources without one fails gateway/test/unit/developers.test.ts, so the page
// cannot silently miss a new code.
import { limitCode } from '../limits.ts';

/** A code that is the gateway's own (answered before or around the subgraphs). */
export const gatewayCodes: readonly string[] = [
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'INSUFFICIENT_SCOPE',
  'RATE_LIMITED',
  limitCode,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_NOT_FOUND',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_REQUIRED',
  'BAD_REQUEST',
  'METHOD_NOT_ALLOWED',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'SERVICE_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
];

/** What each code means, for an integrator, in Chinese. */
export const codeExplanations: Record<string, string> = {
  // Common to every service.
  BAD_USER_INPUT: '输入有误；`field` 指出哪一项。',
  UNAUTHENTICATED: '未登录或登录已失效（HTTP 401）。',
  FORBIDDEN: '身份有效但无权访问该数据或操作（例如其他律师、其他检察院的数据）。',
  NOT_FOUND: '记录不存在，或调用方无权知道它存在。',
  CONFLICT: '与当前状态冲突（状态已变化、重复申请、重复的部门受案号或请求号等），刷新后再试。',
  GONE: '地址已过期或已被替换（HTTP 410）。',
  RATE_LIMITED:
    '请求过于频繁（HTTP 429，响应头 `Retry-After` 给出秒数；`retryAfterSeconds` 同义）。',
  SERVICE_UNAVAILABLE: '某个服务暂不可用（`serviceName`），稍后重试。',
  SUBGRAPH_UNAVAILABLE: '网关转发的服务暂不可用（HTTP 502），稍后重试。',
  INTERNAL_SERVER_ERROR: '系统内部错误，已记录日志；请稍后重试并提供 `x-request-id`。',
  STEP_UP_REQUIRED:
    '需要律师扫码完成身份核验（`purpose` 给出用途）；接入应用无法完成，须由律师本人在门户操作。',
  // The gateway: tokens, operations, limits.
  INVALID_TOKEN:
    '访问令牌无效、过期、受众不符，或授权已撤销、应用已停用（HTTP 401）：刷新或重新授权。',
  INSUFFICIENT_SCOPE: '令牌缺少该字段或操作所需的权限范围（`requiredScopes` 列出可满足的组合）。',
  [limitCode]:
    '查询超出限制（`limit`：tokens、depth、aliases、directives 或 cost），请拆分或简化查询。',
  GRAPHQL_PARSE_FAILED: 'GraphQL 语句有语法错误。',
  GRAPHQL_VALIDATION_FAILED: 'GraphQL 语句与 schema 不符（字段不存在、参数类型不对等）。',
  OPERATION_NOT_FOUND: '文档含多个操作时须指定 `operationName`，或所指定的操作不存在。',
  PERSISTED_QUERY_NOT_FOUND: '持久化操作的哈希未登记（生产环境只接受已登记的操作）。',
  PERSISTED_QUERY_REQUIRED: '该网关只接受持久化操作：请按哈希发送已登记的操作。',
  BAD_REQUEST: '请求格式不正确（地址、标识或请求体）。',
  METHOD_NOT_ALLOWED: '请用 POST 提交 GraphQL 请求（HTTP 405）。',
  PAYLOAD_TOO_LARGE: '上传的文件过大（HTTP 413，`maxBytes` 给出上限）。',
  UNSUPPORTED_MEDIA_TYPE: '文件类型不被接受（HTTP 415：类型、文件头或扩展名不符）。',
  // Identity: logins, SMS codes, devices, step-up, OAuth consent.
  SMS_TOO_FREQUENT: '短信验证码发送过于频繁（`retryAfterSeconds`）。',
  SMS_DAILY_LIMIT: '该号码今日短信验证码已达上限。',
  CODE_INVALID: '验证码错误（`remainingAttempts` 剩余次数）。',
  CODE_EXPIRED: '验证码已过期。',
  CODE_ATTEMPTS_EXCEEDED: '验证码错误次数过多，已失效。',
  CODE_USED: '验证码已使用。',
  INVALID_CREDENTIALS: '账号或密码错误（`remainingAttempts`）。',
  ACCOUNT_LOCKED: '错误次数过多，账号暂时锁定（`retryAfterSeconds`）。',
  PASSWORD_NOT_SET: '该手机号码未设置密码。',
  PHONE_REQUIRED: '账号未登记手机号码。',
  IDENTITY_VERIFICATION_REQUIRED: '需要扫码登录（经身份核验）的会话。',
  ACTIVATION_NOT_FOUND: '激活记录不存在。',
  ACTIVATION_EXPIRED: '激活已超时。',
  ACTIVATION_STATE: '激活步骤顺序不对。',
  ACTIVATION_COMPLETED: '激活已完成。',
  PHONE_MISMATCH: '手机号码与门户账号不一致。',
  PHONE_TAKEN: '手机号码已绑定其他律师。',
  DEVICE_INVALID: '核验设备无效或已停用。',
  SIGNATURE_INVALID: '设备签名无效。',
  SIGNATURE_EXPIRED: '设备签名已过期。',
  SIGNATURE_REPLAYED: '设备签名被重复使用。',
  QR_INVALID: '无法识别的二维码。',
  TICKET_INVALID: '扫码登录票据无效。',
  TICKET_EXPIRED: '扫码登录票据已过期。',
  TICKET_USED: '扫码登录票据已使用。',
  TICKET_REJECTED: '律师在核验端拒绝了登录。',
  TICKET_NOT_SCANNED: '二维码尚未被扫描。',
  TICKET_NOT_CONFIRMED: '已扫码但尚未确认。',
  TICKET_SCANNED: '二维码已被扫描。',
  CHALLENGE_INVALID: '身份核验二维码无效。',
  CHALLENGE_EXPIRED: '身份核验二维码已过期。',
  CHALLENGE_USED: '身份核验二维码已确认过。',
  CHALLENGE_WRONG_LAWYER: '身份核验二维码不属于该核验设备的律师。',
  CONSENT_OUTDATED: '授权信息已更新，须重新同意。',
  CONSENT_REQUIRED: '须先同意授权信息。',
  ALREADY_REGISTERED: '已完善信息，无需重复提交。',
  SESSION_RENEWED: '会话已续期（旧令牌已被替换）。',
  SESSION_RENEWAL_EXPIRED: '会话续期已超时，须重新登录。',
  OAUTH_REQUEST_EXPIRED: '授权请求已失效：回到应用重新发起授权。',
  // Cases and reading.
  SUSPECT_MISMATCH: '绑定申请填写的犯罪嫌疑人/被告人姓名与案件不符（`field`）。',
  CASE_NOT_BOUND: '不是律师的已绑定案件（或绑定已被撤销）。',
  ONLINE_READING_UNAVAILABLE: '受理检察院未开通在线阅卷。',
  READING_EXCLUDED: '案件不予网上阅卷（`category`、`reason`）。',
  SLOT_FULL: '预约时段已满（`slotId`）。',
  RECEIPT_REQUIRED: '须先确认回执。',
  WRONG_PASSWORD: '下载密码错误（`attemptsLeft`）。',
  PACKAGE_LOCKED: '下载密码错误次数过多，暂时锁定（`lockedUntil`）。',
  PACKAGE_NOT_READY: '卷宗包尚未制作完成。',
  PACKAGE_EXPIRED: '卷宗包已过期。',
  PACKAGE_REVOKED: '卷宗包已被撤回。',
  READING_EXPIRED: '在线阅卷已结束或卷宗已重新制作，须重新打开。',
};

/**
 * Words in the SDL comments that look like codes but are not: abbreviations and HTTP methods.
 * (Step-up purposes are told apart by the schema's StepUpPurpose enum.)
 */
const notCodes = new Set([
  'HTTP',
  'JSON',
  'JPEG',
  'POST',
  'GET',
  'HEAD',
  'ISO',
  'URL',
  'PDF',
  'PNG',
  'SMS',
  'QR',
  'IP',
  'UI',
  'ID',
  'AES',
  'SHA',
  'OCR',
]);

/** The header comment of an SDL: its first block of `#` lines (after the `@link` of the schema). */
export function headerComment(sdl: string): string {
  const lines: string[] = [];
  for (const line of sdl.split('\n')) {
    const t = line.trim();
    if (t.startsWith('#')) lines.push(t.replace(/^#\s?/, ''));
    else if (lines.length > 0) break;
  }
  return lines.join(' ');
}

/** Values of an enum declared in an SDL (read as text: the subgraph SDLs need federation to build). */
function enumValues(sdl: string, name: string): string[] {
  const body = new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`).exec(sdl)?.[1] ?? '';
  return [...body.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]!);
}

/** The error codes one SDL's header comment documents (from its "Errors:" on), in order. */
export function documentedCodes(sdl: string, exclude: ReadonlySet<string> = new Set()): string[] {
  const comment = headerComment(sdl);
  const at = comment.indexOf('Errors:');
  if (at < 0) return [];
  const found: string[] = [];
  for (const [word] of comment.slice(at).matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b/g))
    if (!notCodes.has(word) && !exclude.has(word) && !found.includes(word)) found.push(word);
  return found;
}

export interface ErrorCodeRow {
  code: string;
  /** Where it is answered: gateway and/or subgraph names. */
  sources: string[];
  /** Chinese explanation, or undefined when none is written yet (a test fails on that). */
  explanation: string | undefined;
}

/**
 * The table: every code of the gateway and of each subgraph's SDL header, once, with where it
 * comes from and its Chinese explanation. Common codes first (gateway order), then by subgraph.
 */
export function errorCodeTable(sdls: Record<string, string>): ErrorCodeRow[] {
  const purposes = new Set(Object.values(sdls).flatMap((s) => enumValues(s, 'StepUpPurpose')));
  const rows = new Map<string, ErrorCodeRow>();
  const add = (code: string, source: string) => {
    const row = rows.get(code) ?? { code, sources: [], explanation: codeExplanations[code] };
    if (!row.sources.includes(source)) row.sources.push(source);
    rows.set(code, row);
  };
  for (const code of gatewayCodes) add(code, 'gateway');
  for (const [name, sdl] of Object.entries(sdls))
    for (const code of documentedCodes(sdl, purposes)) add(code, name);
  return [...rows.values()];
}
