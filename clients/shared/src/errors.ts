// The Chinese message a person reads for every error code the API answers with. The services
// already send Chinese messages with details (tries left, seconds to wait); this table is what
// the clients say when a message is missing or not meant for people (gateway refusals, network
// failures), and the one place a code's wording can be checked.

/** Messages by `extensions.code`, common codes first, then each subgraph's domain codes. */
export const errorMessages: Readonly<Record<string, string>> = {
  BAD_USER_INPUT: '输入有误，请检查后重试。',
  UNAUTHENTICATED: '登录已失效，请重新登录。',
  FORBIDDEN: '您无权进行此操作。',
  NOT_FOUND: '未找到相关记录，可能已被删除。',
  CONFLICT: '当前状态不允许此操作，请刷新后重试。',
  RATE_LIMITED: '操作过于频繁，请稍后再试。',
  STEP_UP_REQUIRED: '请先使用中国律师身份核验扫码完成身份核验。',
  SERVICE_UNAVAILABLE: '服务暂不可用，请稍后再试。',
  INTERNAL_SERVER_ERROR: '系统繁忙，请稍后再试。',
  GRAPHQL_VALIDATION_FAILED: '请求格式有误，请刷新页面后重试。',
  GRAPHQL_PARSE_FAILED: '请求格式有误，请刷新页面后重试。',
  BAD_REQUEST: '请求无效，请刷新页面后重试。',
  PERSISTED_QUERY_NOT_FOUND: '客户端版本过旧，请刷新页面。',
  PERSISTED_QUERY_REQUIRED: '客户端版本过旧，请刷新页面。',
  PAYLOAD_TOO_LARGE: '文件或内容过大，请压缩后重试。',
  UNSUPPORTED_MEDIA_TYPE: '文件格式不支持，请上传 PDF、JPG 或 PNG 文件。',
  METHOD_NOT_ALLOWED: '请求方式不被允许。',
  QUERY_TOO_COMPLEX: '查询过于复杂，已拒绝，请缩小查询范围。',
  GONE: '链接已失效，请重新操作。',
  // identity: SMS codes
  SMS_TOO_FREQUENT: '验证码发送过于频繁，请稍后再试。',
  SMS_DAILY_LIMIT: '该手机号今日获取验证码次数已达上限，请明天再试。',
  CODE_INVALID: '验证码不正确，请重新输入。',
  CODE_EXPIRED: '验证码已过期，请重新获取。',
  CODE_ATTEMPTS_EXCEEDED: '验证码错误次数过多，已失效，请重新获取。',
  CODE_USED: '验证码已使用，请重新获取。',
  // identity: passwords and accounts
  INVALID_CREDENTIALS: '账号或密码不正确。',
  ACCOUNT_LOCKED: '密码错误次数过多，账号已锁定，请稍后再试。',
  PASSWORD_NOT_SET: '该手机号未设置登录密码。请使用短信验证码或扫码登录，在个人中心设置登录密码。',
  PHONE_REQUIRED: '账号未登记手机号码，无法发送验证码，请联系管理员。',
  IDENTITY_VERIFICATION_REQUIRED: '请使用中国律师身份核验扫码登录后再进行此操作。',
  // identity: verifier activation and devices
  ACTIVATION_NOT_FOUND: '未找到该激活记录，请重新开始激活。',
  ACTIVATION_EXPIRED: '激活已超时，请重新开始激活。',
  ACTIVATION_STATE: '请按步骤完成激活：身份信息验证、人脸识别、手机号码绑定。',
  ACTIVATION_COMPLETED: '该激活已完成，请勿重复提交。',
  PHONE_MISMATCH: '手机号码须与“中国律师身份核验”绑定的手机号码一致。',
  PHONE_TAKEN: '该手机号码已绑定其他律师，请更换手机号码。',
  DEVICE_INVALID: '核验设备无效或已停用，请重新激活中国律师身份核验。',
  SIGNATURE_INVALID: '设备签名校验失败，请重新扫码。',
  SIGNATURE_EXPIRED: '设备签名已过期，请校准手机时间后重新扫码。',
  SIGNATURE_REPLAYED: '该签名已使用，请重新扫码。',
  // identity: QR login tickets and step-up challenges
  QR_INVALID: '无法识别的二维码，请扫描12309中国检察网的登录或身份核验二维码。',
  TICKET_INVALID: '登录二维码无效，请刷新二维码后重试。',
  TICKET_EXPIRED: '登录二维码已过期，请刷新二维码后重新扫码。',
  TICKET_USED: '登录二维码已使用，请刷新二维码后重新扫码。',
  TICKET_REJECTED: '登录已在中国律师身份核验中被拒绝。',
  TICKET_NOT_SCANNED: '请先扫描登录二维码。',
  TICKET_NOT_CONFIRMED: '请在中国律师身份核验中确认登录。',
  TICKET_SCANNED: '该二维码已被其他设备扫描。',
  CHALLENGE_INVALID: '身份核验二维码无效，请刷新后重试。',
  CHALLENGE_EXPIRED: '身份核验二维码已过期，请刷新后重新扫码。',
  CHALLENGE_USED: '该身份核验二维码已确认，无需重复扫码。',
  CHALLENGE_WRONG_LAWYER: '该身份核验二维码不属于当前核验设备的律师。',
  // identity: first login and sessions
  CONSENT_OUTDATED: '授权信息已更新，请阅读最新版本后重新同意。',
  CONSENT_REQUIRED: '请先阅读并同意授权信息。',
  ALREADY_REGISTERED: '您已完善信息，无需重复提交。',
  SESSION_RENEWED: '该登录已续期，请使用新的登录凭证。',
  SESSION_RENEWAL_EXPIRED: '登录时间过长，请重新登录。',
  // cases
  CASE_NOT_BOUND: '该案件尚未绑定，请先申请绑定案件。',
  READING_EXCLUDED: '该案件依法不予网上阅卷。',
  ONLINE_READING_UNAVAILABLE: '该检察院暂未开通在线阅卷（试点：上海市、安徽省、重庆市）。',
  // reading: packages and download
  RECEIPT_REQUIRED: '请先确认回执。',
  PACKAGE_NOT_READY: '卷宗尚在制作中，请收到短信通知后再下载。',
  PACKAGE_EXPIRED: '卷宗已过下载有效期。',
  PACKAGE_REVOKED: '卷宗已被检察机关撤回，无法下载。',
  PACKAGE_LOCKED: '下载密码错误次数过多，请稍后再试。',
  WRONG_PASSWORD: '卷宗下载密码错误，请核对短信后重新输入。',
  RANGE_NOT_SATISFIABLE: '续传位置无效，请重新下载。',
  // notifications
  DEV_SMS_INBOX_DISABLED: '开发短信收件箱未启用。',
  // client side
  NETWORK_ERROR: '网络连接失败，请检查网络后重试。',
};

/** The message for an unknown code: never an English or empty text in front of a person. */
export const fallbackMessage = '操作失败，请稍后再试。';

/** One GraphQL error as the gateway sends it. */
export interface ApiErrorEntry {
  message: string;
  extensions?: Record<string, unknown>;
}

const hasChinese = (text: string | undefined): text is string =>
  !!text && /[\u4e00-\u9fff]/.test(text);

/**
 * An API failure carrying the first error's code, the message to show and its details
 * (`retryAfterSeconds`, `remainingAttempts`, `purpose`, `field`…). Thrown by the client helpers.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly field?: string;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.field = typeof details.field === 'string' ? details.field : undefined;
  }
}

/**
 * What a person reads for one error: the service's own Chinese message when it sent one (it
 * is the more precise: tries left, minutes to wait), else the table's, else the fallback.
 * Non-Chinese messages (gateway internals, English defaults) never reach the screen.
 */
export function messageFor(code: string | undefined, serverMessage?: string): string {
  if (code === 'INTERNAL_SERVER_ERROR') return errorMessages.INTERNAL_SERVER_ERROR!;
  if (hasChinese(serverMessage)) return serverMessage;
  return (code && errorMessages[code]) || fallbackMessage;
}

/** The code of an error entry; an entry without one is an unexpected server failure. */
const codeOf = (entry: ApiErrorEntry): string => {
  const code = entry.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
};

/** ApiError from the `errors` of a GraphQL answer (the first one decides). */
export function fromGraphqlErrors(errors: readonly ApiErrorEntry[]): ApiError {
  const first = errors[0] ?? { message: '' };
  const code = codeOf(first);
  const details = { ...(first.extensions ?? {}) };
  delete details.code;
  delete details.stacktrace;
  return new ApiError(code, messageFor(code, first.message), details);
}

/** ApiError from a failed fetch or socket: the network, not the request, failed. */
export const networkError = (): ApiError =>
  new ApiError('NETWORK_ERROR', errorMessages.NETWORK_ERROR!);

/** ApiError from any thrown value (an ApiError passes through; anything else is shown generically). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err && typeof err === 'object' && 'graphQLErrors' in err) {
    const combined = err as { graphQLErrors: ApiErrorEntry[]; networkError?: unknown };
    if (combined.graphQLErrors.length) return fromGraphqlErrors(combined.graphQLErrors);
    if (combined.networkError) return networkError();
  }
  if (err instanceof TypeError) return networkError();
  return new ApiError('INTERNAL_SERVER_ERROR', fallbackMessage);
}

/** "请 N 秒后再试" when the error says how long to wait, for buttons that count down. */
export function retryAfterSeconds(err: ApiError): number | null {
  const s = err.details.retryAfterSeconds;
  return typeof s === 'number' && s > 0 ? Math.ceil(s) : null;
}
