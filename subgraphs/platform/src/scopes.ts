import { AppError } from './errors.ts';
import type { Identity } from './auth.ts';

/**
 * The resource indicator (RFC 8707) and audience of the GraphQL API's access tokens: a token
 * whose `aud` is anything else is refused by the gateway.
 */
export const apiResource = 'urn:yuejuan:api';

/** Which kind of application may hold a scope. */
export type ApplicationKind = 'LAW_FIRM' | 'PROCURATORATE_SYSTEM';

/** One OAuth scope of the GraphQL API, as the consent page and the console show it. */
export interface ScopeDefinition {
  name: string;
  /** 中文名称 shown on the consent page and in 授权管理. */
  label: string;
  /** What it lets the application do, in Chinese. */
  description: string;
  kind: ApplicationKind;
  /** Reads personal or case data: granting it needs an identity-verified session (step-up). */
  needsVerification: boolean;
}

/**
 * The scopes of the GraphQL API. Each field or mutation an application may use names its scope
 * once, in its subgraph's SDL (`@requiresScopes`); the subgraph kit enforces it. `openid` and
 * `offline_access` are OpenID Connect's own and reach no data.
 */
export const apiScopes: readonly ScopeDefinition[] = [
  {
    name: 'profile:read',
    label: '读取个人信息',
    description: '姓名、执业证号、律师事务所、手机号码等律师身份信息',
    kind: 'LAW_FIRM',
    needsVerification: true,
  },
  {
    name: 'bindings:read',
    label: '读取案件绑定',
    description: '案件绑定申请及其审核结果、已绑定案件',
    kind: 'LAW_FIRM',
    needsVerification: true,
  },
  {
    name: 'applications:read',
    label: '读取阅卷申请',
    description: '在线阅卷申请及其审核结果、卷宗包状态（不含卷宗内容和密码）',
    kind: 'LAW_FIRM',
    needsVerification: true,
  },
  {
    name: 'appointments:read',
    label: '读取预约',
    description: '现场阅卷、听取意见预约及其时间安排',
    kind: 'LAW_FIRM',
    needsVerification: true,
  },
  {
    name: 'notifications:read',
    label: '读取站内消息',
    description: '站内消息（审核结果、预约变更等通知）',
    kind: 'LAW_FIRM',
    needsVerification: true,
  },
  {
    name: 'cases:read',
    label: '读取本院案件',
    description: '本院案件的基本信息',
    kind: 'PROCURATORATE_SYSTEM',
    needsVerification: false,
  },
  {
    name: 'cases:write',
    label: '推送案件',
    description: '向本院推送案件（按部门受案号幂等）',
    kind: 'PROCURATORATE_SYSTEM',
    needsVerification: false,
  },
  {
    name: 'volumes:write',
    label: '推送卷宗',
    description: '向本院案件上传卷宗',
    kind: 'PROCURATORATE_SYSTEM',
    needsVerification: false,
  },
];

/** The API scopes by name. */
export const scopeByName: ReadonlyMap<string, ScopeDefinition> = new Map(
  apiScopes.map((s) => [s.name, s]),
);

/** The scopes of the API a kind of application may be allowed. */
export const scopesOfKind = (kind: ApplicationKind): string[] =>
  apiScopes.filter((s) => s.kind === kind).map((s) => s.name);

/** The application behind an identity, when the caller is an application (not a person's own session). */
export const appOf = (identity: Identity) =>
  'app' in identity && identity.app ? identity.app : undefined;

/**
 * Whether the caller may use something that requires `required`: one list of alternatives, each
 * a list of scopes that must all be held (the shape of Federation's `@requiresScopes`). A person
 * calling with their own session holds every scope: their role decides what they see.
 */
export function holdsScopes(identity: Identity, required: readonly (readonly string[])[]): boolean {
  const app = appOf(identity);
  if (!app) return true;
  return required.some((all) => all.every((s) => app.scopes.includes(s)));
}

/** Throws INSUFFICIENT_SCOPE unless the caller holds `required` (see holdsScopes). */
export function requireScopes(identity: Identity, required: readonly (readonly string[])[]): void {
  if (holdsScopes(identity, required)) return;
  throw new AppError('INSUFFICIENT_SCOPE', '该应用未获得访问此数据的授权。', {
    requiredScopes: required.map((all) => all.join(' ')),
  });
}
