import { AppError } from '@yuejuan/runtime';

// The identity subgraph's refusals: a stable `extensions.code` each, a Chinese message for the
// UI, and details a client may act on (seconds to wait, tries left). Never a secret.

const retry = (seconds: number) => ({ retryAfterSeconds: Math.max(1, Math.ceil(seconds)) });

export const refuse = {
  // `rateLimit`, not `limit`: the gateway reads an error's `limit` as its own operation-limit refusal (QUERY_TOO_COMPLEX).
  tooManyFromIp: (rateLimit: string, seconds: number) =>
    new AppError('RATE_LIMITED', '操作过于频繁，请稍后再试。', { rateLimit, ...retry(seconds) }),
  smsTooFrequent: (seconds: number) =>
    new AppError(
      'SMS_TOO_FREQUENT',
      `验证码发送过于频繁，请 ${Math.ceil(seconds)} 秒后再试。`,
      retry(seconds),
    ),
  smsDailyLimit: (limit: number) =>
    new AppError('SMS_DAILY_LIMIT', `该手机号今日获取验证码已达 ${limit} 次，请明天再试。`),
  codeInvalid: (remainingAttempts?: number) =>
    new AppError(
      'CODE_INVALID',
      remainingAttempts === undefined
        ? '验证码不正确，请重新输入。'
        : `验证码不正确，还可尝试 ${remainingAttempts} 次。`,
      remainingAttempts === undefined ? {} : { remainingAttempts },
    ),
  codeExpired: () => new AppError('CODE_EXPIRED', '验证码已过期，请重新获取。'),
  codeExhausted: () =>
    new AppError('CODE_ATTEMPTS_EXCEEDED', '验证码错误次数过多，已失效，请重新获取。'),
  codeUsed: () => new AppError('CODE_USED', '验证码已使用，请重新获取。'),
  invalidCredentials: (remainingAttempts?: number) =>
    new AppError(
      'INVALID_CREDENTIALS',
      remainingAttempts === undefined
        ? '账号或密码不正确。'
        : `账号或密码不正确，还可尝试 ${remainingAttempts} 次。`,
      remainingAttempts === undefined ? {} : { remainingAttempts },
    ),
  passwordNotSet: () =>
    new AppError(
      'PASSWORD_NOT_SET',
      '该手机号未设置登录密码。请使用短信验证码或扫码登录，在个人中心设置登录密码。',
      { field: 'password' },
    ),
  accountLocked: (seconds: number) =>
    new AppError(
      'ACCOUNT_LOCKED',
      `密码错误次数过多，账号已锁定，请 ${Math.ceil(seconds / 60)} 分钟后再试。`,
      retry(seconds),
    ),
  ticketInvalid: () => new AppError('TICKET_INVALID', '登录二维码无效，请刷新二维码后重试。'),
  ticketExpired: () => new AppError('TICKET_EXPIRED', '登录二维码已过期，请刷新二维码后重新扫码。'),
  ticketUsed: () => new AppError('TICKET_USED', '登录二维码已使用，请刷新二维码后重新扫码。'),
  ticketRejected: () => new AppError('TICKET_REJECTED', '登录已在中国律师身份核验中被拒绝。'),
  ticketNotConfirmed: () =>
    new AppError('TICKET_NOT_CONFIRMED', '请在中国律师身份核验中确认登录。'),
  ticketNotScanned: () => new AppError('TICKET_NOT_SCANNED', '请先扫描登录二维码。'),
  ticketTaken: () => new AppError('TICKET_SCANNED', '该二维码已被其他设备扫描。'),
  qrUnknown: () =>
    new AppError('QR_INVALID', '无法识别的二维码，请扫描12309中国检察网的登录或身份核验二维码。'),
  challengeInvalid: () => new AppError('CHALLENGE_INVALID', '身份核验二维码无效，请刷新后重试。'),
  challengeExpired: () =>
    new AppError('CHALLENGE_EXPIRED', '身份核验二维码已过期，请刷新后重新扫码。'),
  challengeUsed: () => new AppError('CHALLENGE_USED', '该身份核验二维码已确认，无需重复扫码。'),
  challengeOtherLawyer: () =>
    new AppError('CHALLENGE_WRONG_LAWYER', '该身份核验二维码不属于当前核验设备的律师。'),
  deviceInvalid: () =>
    new AppError('DEVICE_INVALID', '核验设备无效或已停用，请重新激活中国律师身份核验。'),
  signatureInvalid: () => new AppError('SIGNATURE_INVALID', '设备签名校验失败，请重新扫码。'),
  signatureExpired: () =>
    new AppError('SIGNATURE_EXPIRED', '设备签名已过期，请校准手机时间后重新扫码。'),
  signatureReplayed: () => new AppError('SIGNATURE_REPLAYED', '该签名已使用，请重新扫码。'),
  activationNotFound: () =>
    new AppError('ACTIVATION_NOT_FOUND', '未找到该激活记录，请重新开始激活。'),
  activationExpired: () => new AppError('ACTIVATION_EXPIRED', '激活已超时，请重新开始激活。'),
  activationState: () =>
    new AppError('ACTIVATION_STATE', '请按步骤完成激活：身份信息验证、人脸识别、手机号码绑定。'),
  activationDone: () => new AppError('ACTIVATION_COMPLETED', '该激活已完成，请勿重复提交。'),
  /** 完善信息 with another number than the one the verifier bound (shown masked to its owner). */
  profilePhoneMismatch: (boundMasked: string) =>
    new AppError(
      'PHONE_MISMATCH',
      `手机号码须与“中国律师身份核验”绑定的手机号码（${boundMasked}）一致。如需更换，请在“中国律师身份核验”中重新绑定。`,
      { field: 'phone' },
    ),
  /** Binding a verifier to another number than the portal account's (after 完善信息). */
  activationPhoneMismatch: () =>
    new AppError('PHONE_MISMATCH', '手机号码须与您12309中国检察网门户账号的手机号码一致。', {
      field: 'phone',
    }),
  phoneTaken: () =>
    new AppError('PHONE_TAKEN', '该手机号码已绑定其他律师，请更换手机号码。', { field: 'phone' }),
  consentOutdated: (version: string) =>
    new AppError('CONSENT_OUTDATED', '授权信息已更新，请阅读最新版本后重新同意。', {
      currentVersion: version,
    }),
  consentRequired: () => new AppError('CONSENT_REQUIRED', '请先阅读并同意授权信息。'),
  alreadyRegistered: () => new AppError('ALREADY_REGISTERED', '您已完善信息，无需重复提交。'),
  scanSessionRequired: () =>
    new AppError(
      'IDENTITY_VERIFICATION_REQUIRED',
      '请使用中国律师身份核验扫码登录后再进行此操作。',
    ),
  phoneRequired: () =>
    new AppError('PHONE_REQUIRED', '账号未登记手机号码，无法发送验证码，请联系管理员。'),
  sessionTooOld: () => new AppError('SESSION_RENEWAL_EXPIRED', '登录时间过长，请重新登录。'),
  sessionRenewed: () => new AppError('SESSION_RENEWED', '该登录已续期，请使用新的登录凭证。'),
  faceUnavailable: (hotline: string) =>
    new AppError(
      'SERVICE_UNAVAILABLE',
      `人脸识别服务暂不可用，请稍后再试。如需帮助请拨打客服热线 ${hotline}。`,
      { serviceName: 'face' },
    ),
};
