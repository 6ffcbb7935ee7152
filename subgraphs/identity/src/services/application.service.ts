import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  AppError,
  requireRole,
  scopeByName,
  scopesOfKind,
  type ApplicationKind,
  type Identity,
} from '@yuejuan/runtime';
import type { ApplicationDoc, IdentityModels } from '../models/index.ts';
import type { AuditService } from './audit.service.ts';
import type { ClientInfo } from './client.ts';

/** What an administrator enters for an application (接入应用). */
export interface ApplicationInput {
  name: string;
  organisation: string;
  kind: ApplicationKind;
  procuratorateId?: string | null;
  redirectUris?: string[] | null;
  scopes: string[];
  rateLimitPerMinute: number;
  contactName: string;
  contactPhone: string;
  contactEmail?: string | null;
}

/** A client secret in the clear: answered once, when it is made, and never stored. */
export interface IssuedSecret {
  application: ApplicationDoc;
  clientSecret: string;
}

export interface ApplicationSettings {
  /** Key of the secrets' HMAC digests (derived from YUEJUAN_ID_HASH_KEY). */
  secretKey: string;
  /** How long a replaced secret keeps working by default. */
  overlapSeconds: number;
}

const bad = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });

/** Why a redirect URI is refused, or null: https, or http on loopback for development; no fragment. */
export function redirectUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `回调地址无效：${value}`;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return `回调地址须使用 https（本机调试可用 http://127.0.0.1）：${value}`;
  if (url.hash || url.username || url.password) return `回调地址不能包含片段或账号：${value}`;
  return null;
}

/**
 * Applications: registered, changed, suspended and resumed by administrators, every change in
 * the audit trail (who, when, what); client secrets made here, shown once, kept as HMAC-SHA256
 * digests (a secret is 256 random bits: a slow hash adds nothing), rotated with an overlap.
 */
export function createApplicationService(
  models: IdentityModels,
  audit: AuditService,
  settings: ApplicationSettings,
  now: () => Date,
) {
  const digest = (secret: string) =>
    createHmac('sha256', settings.secretKey).update(secret).digest('base64url');
  const newSecret = () => {
    const clientSecret = `yjs_${randomBytes(32).toString('base64url')}`;
    return {
      clientSecret,
      stored: {
        id: randomBytes(6).toString('hex'),
        digest: digest(clientSecret),
        createdAt: now(),
      },
    };
  };

  function validate(input: ApplicationInput) {
    const text = (field: string, value: string | null | undefined, max: number) => {
      const v = (value ?? '').trim();
      if (!v || v.length > max) throw bad(field, `请填写${fieldNames[field]}（最多${max}字）。`);
      if (/[\p{Cc}\p{Cf}]/u.test(v)) throw bad(field, `${fieldNames[field]}不能包含控制字符。`);
      return v;
    };
    const kindScopes = scopesOfKind(input.kind);
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw bad('scopes', '请至少选择一项权限范围。');
    for (const s of scopes)
      if (!kindScopes.includes(s))
        throw bad(
          'scopes',
          scopeByName.has(s) ? `该类应用不能申请“${s}”。` : `未知的权限范围：${s}`,
        );
    const redirectUris = [...new Set((input.redirectUris ?? []).map((u) => u.trim()))];
    if (input.kind === 'LAW_FIRM') {
      if (redirectUris.length === 0 || redirectUris.length > 10)
        throw bad('redirectUris', '律所管理系统须登记 1 至 10 个回调地址。');
      for (const u of redirectUris) {
        const problem = redirectUriProblem(u);
        if (problem) throw bad('redirectUris', problem);
      }
    } else if (redirectUris.length > 0) {
      throw bad('redirectUris', '检察业务应用系统使用客户端凭证，不登记回调地址。');
    }
    const procuratorateId = input.procuratorateId?.trim() || undefined;
    if (input.kind === 'PROCURATORATE_SYSTEM') {
      if (!procuratorateId || !/^[A-Za-z0-9-]{2,40}$/.test(procuratorateId))
        throw bad('procuratorateId', '请选择该系统所属的检察院。');
    } else if (procuratorateId) {
      throw bad('procuratorateId', '律所管理系统不属于检察院。');
    }
    if (
      !Number.isInteger(input.rateLimitPerMinute) ||
      input.rateLimitPerMinute < 1 ||
      input.rateLimitPerMinute > 100_000
    )
      throw bad('rateLimitPerMinute', '每分钟请求上限应为 1 至 100000 的整数。');
    const contactPhone = input.contactPhone.trim();
    if (!/^[0-9+][0-9-]{4,19}$/.test(contactPhone))
      throw bad('contactPhone', '联系电话格式不正确。');
    const contactEmail = input.contactEmail?.trim() || undefined;
    if (contactEmail && !/^[^\s@]{1,64}@[^\s@]{1,100}\.[^\s@]{2,}$/.test(contactEmail))
      throw bad('contactEmail', '电子邮箱格式不正确。');
    return {
      name: text('name', input.name, 60),
      organisation: text('organisation', input.organisation, 100),
      kind: input.kind,
      procuratorateId,
      redirectUris,
      scopes,
      rateLimitPerMinute: input.rateLimitPerMinute,
      contactName: text('contactName', input.contactName, 40),
      contactPhone,
      contactEmail,
    };
  }

  async function byId(id: string): Promise<ApplicationDoc> {
    const app = await models.Application.findById(id).lean<ApplicationDoc>().exec();
    if (!app) throw new AppError('NOT_FOUND', '接入应用不存在。');
    return app;
  }

  const record = (
    identity: Identity,
    kind: Parameters<AuditService['record']>[0]['kind'],
    app: ApplicationDoc,
    client: ClientInfo,
    detail: string,
  ) => {
    const admin = requireRole(identity, 'ADMINISTRATOR');
    return audit.record({
      kind,
      actorId: admin.administratorId,
      actorRole: 'ADMINISTRATOR',
      targetId: app._id,
      ip: client.ip,
      detail: `${app.name}：${detail}`,
    });
  };

  return {
    byId,

    /** The application behind a client id, or null (the token endpoint, the gateway's check). */
    find: (id: string) => models.Application.findById(id).lean<ApplicationDoc>().exec(),

    /** Every application, newest first (administrators). */
    async list(identity: Identity): Promise<ApplicationDoc[]> {
      requireRole(identity, 'ADMINISTRATOR');
      return models.Application.find().sort({ createdAt: -1 }).lean<ApplicationDoc[]>().exec();
    },

    /** One application (administrators). */
    async get(identity: Identity, id: string): Promise<ApplicationDoc | null> {
      requireRole(identity, 'ADMINISTRATOR');
      return models.Application.findById(id).lean<ApplicationDoc>().exec();
    },

    /** Registers an application; its first client secret is in the answer, once. */
    async register(
      identity: Identity,
      input: ApplicationInput,
      client: ClientInfo,
    ): Promise<IssuedSecret> {
      const admin = requireRole(identity, 'ADMINISTRATOR');
      const fields = validate(input);
      const { clientSecret, stored } = newSecret();
      const doc = await models.Application.create({
        _id: `yj_${randomBytes(12).toString('base64url')}`,
        ...fields,
        secrets: [stored],
        createdBy: admin.administratorId,
      });
      const application = doc.toObject() as ApplicationDoc;
      await record(
        identity,
        'APP_REGISTERED',
        application,
        client,
        `登记（${fields.kind === 'LAW_FIRM' ? '律所管理系统' : `检察业务应用系统，${fields.procuratorateId}`}），权限 ${fields.scopes.join(' ')}`,
      );
      return { application, clientSecret };
    },

    /** Changes an application's registration; the audit names each field that changed. */
    async update(
      identity: Identity,
      id: string,
      input: ApplicationInput,
      client: ClientInfo,
    ): Promise<ApplicationDoc> {
      requireRole(identity, 'ADMINISTRATOR');
      const before = await byId(id);
      if (input.kind !== before.kind) throw bad('kind', '应用类型登记后不能更改，请另行登记。');
      const fields = validate(input);
      const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter(
        (k) =>
          JSON.stringify(fields[k] ?? null) !==
          JSON.stringify((before as Record<string, unknown>)[k] ?? null),
      );
      if (changed.length === 0) return before;
      const after = await models.Application.findOneAndUpdate(
        { _id: id },
        { $set: fields },
        { new: true },
      )
        .lean<ApplicationDoc>()
        .exec();
      await record(
        identity,
        'APP_UPDATED',
        after!,
        client,
        changed
          .map(
            (k) =>
              `${fieldNames[k]}：${JSON.stringify((before as Record<string, unknown>)[k] ?? null)} → ${JSON.stringify(fields[k] ?? null)}`,
          )
          .join('；'),
      );
      return after!;
    },

    /**
     * A new client secret; the ones before it keep working for `overlapSeconds` (default from
     * the configuration; 0 ends them at once), so the integrator can switch without downtime.
     */
    async rotateSecret(
      identity: Identity,
      id: string,
      overlapSeconds: number | null | undefined,
      client: ClientInfo,
    ): Promise<IssuedSecret> {
      requireRole(identity, 'ADMINISTRATOR');
      const overlap = overlapSeconds ?? settings.overlapSeconds;
      if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 86400)
        throw bad('overlapSeconds', '新旧密钥并存时间应为 0 至 30 天。');
      const app = await byId(id);
      const at = now();
      const until = new Date(at.getTime() + overlap * 1000);
      const { clientSecret, stored } = newSecret();
      const kept = app.secrets
        .filter((s) => !s.expiresAt || s.expiresAt > at)
        .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }))
        .filter((s) => s.expiresAt > at);
      const application = await models.Application.findOneAndUpdate(
        { _id: id },
        { $set: { secrets: [...kept, stored] } },
        { new: true },
      )
        .lean<ApplicationDoc>()
        .exec();
      await record(
        identity,
        'APP_SECRET_ROTATED',
        app,
        client,
        `新密钥 ${stored.id}；旧密钥${kept.length ? `至 ${until.toISOString()} 前仍可用` : '已停用'}`,
      );
      return { application: application!, clientSecret };
    },

    /** Suspends (tokens stop at their next request, no new ones) or resumes an application. */
    async setSuspended(
      identity: Identity,
      id: string,
      suspended: boolean,
      reason: string | null | undefined,
      client: ClientInfo,
    ): Promise<ApplicationDoc> {
      requireRole(identity, 'ADMINISTRATOR');
      const app = await byId(id);
      const why = (reason ?? '').trim();
      if (suspended && (!why || why.length > 200))
        throw bad('reason', '请填写停用原因（最多200字）。');
      if ((app.status === 'SUSPENDED') === suspended) return app;
      const after = await models.Application.findOneAndUpdate(
        { _id: id },
        suspended
          ? { $set: { status: 'SUSPENDED', suspendedAt: now() } }
          : { $set: { status: 'ACTIVE' }, $unset: { suspendedAt: 1 } },
        { new: true },
      )
        .lean<ApplicationDoc>()
        .exec();
      await record(
        identity,
        suspended ? 'APP_SUSPENDED' : 'APP_RESUMED',
        app,
        client,
        suspended ? `停用：${why}` : '恢复使用',
      );
      return after!;
    },

    /** Whether `secret` is one of the application's live secrets (constant time per candidate). */
    secretMatches(app: ApplicationDoc, secret: string, at = now()): boolean {
      if (typeof secret !== 'string' || secret.length > 200) return false;
      const given = Buffer.from(digest(secret));
      let ok = false;
      for (const s of app.secrets) {
        if (s.expiresAt && s.expiresAt <= at) continue;
        const stored = Buffer.from(s.digest);
        if (stored.length === given.length && timingSafeEqual(stored, given)) ok = true;
      }
      return ok;
    },
  };
}
export type ApplicationService = ReturnType<typeof createApplicationService>;

const fieldNames: Record<string, string> = {
  name: '应用名称',
  organisation: '所属单位',
  kind: '应用类型',
  procuratorateId: '所属检察院',
  redirectUris: '回调地址',
  scopes: '权限范围',
  rateLimitPerMinute: '每分钟请求上限',
  contactName: '联系人',
  contactPhone: '联系电话',
  contactEmail: '电子邮箱',
};
