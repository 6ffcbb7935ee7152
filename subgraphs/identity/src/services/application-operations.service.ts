// Per-application persisted-operation allowlists (issue 16 part 5). An administrator registers
// an integrator's operations on the console's 接入应用管理 page, as a GraphQL document or as the
// persisted-documents manifest its build produced (GraphQL Code Generator's `hash → document`
// JSON, or Apollo's `apollo-persisted-query-manifest`); each is validated against the API
// schema and stored under `<client id>:<hash>`. The gateway reads an application's set when the
// per-request token check reports a new `operationsRevision`, and then runs only those.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  buildSchema,
  Kind,
  parse,
  validate,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { AppError, requireRole, type Identity } from '@yuejuan/runtime';
import { canonicalOperation, documentHash, readSupergraph, supergraphPath } from '@yuejuan/schema';
import {
  identityOwned,
  type ApplicationDoc,
  type ApplicationOperationDoc,
} from '../models/index.ts';
import type { IdentityModels } from '../models/index.ts';
import type { AuditService } from './audit.service.ts';
import type { ClientInfo } from './client.ts';

/** At most this many operations per application, and per registration. */
export const maxOperationsPerApplication = 500;
export const maxOperationsPerRegistration = 100;
const maxDocumentBytes = 32 * 1024;

const bad = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('BAD_USER_INPUT', message, { field: 'source', ...details });

/** One operation ready to store. */
export interface ParsedOperation {
  hash: string;
  canonicalHash: string;
  name: string | null;
  type: 'query' | 'mutation' | 'subscription';
  document: string;
}

/** What the gateway needs of an application's registered operations. */
export interface GatewayOperations {
  revision: string;
  operations: { hash: string; canonicalHash: string; document: string }[];
}

let schemaCache: GraphQLSchema | undefined;
/**
 * The schema operations are validated against: the integrators' contract (`schema/contract.graphql`)
 * when the repository has one, else the supergraph's API schema (what the gateway serves).
 */
export function operationSchema(): GraphQLSchema {
  if (schemaCache) return schemaCache;
  const contract = join(dirname(supergraphPath), 'contract.graphql');
  schemaCache = existsSync(contract)
    ? buildSchema(readFileSync(contract, 'utf8'), { assumeValidSDL: true })
    : Supergraph.build(readSupergraph()).apiSchema().toGraphQLJSSchema();
  return schemaCache;
}

const label = (name: string | null, hash: string) =>
  `“${name ?? '匿名操作'}”（${hash.slice(0, 12)}…）`;

/** Parses a text as GraphQL, or throws a refusal naming which entry. */
function parseDocument(text: string, where: string) {
  if (Buffer.byteLength(text) > maxDocumentBytes) throw bad(`${where}过长（每个操作最多 32 KB）。`);
  try {
    return parse(text, { noLocation: true });
  } catch (err) {
    throw bad(`${where}不是有效的 GraphQL 文档：${(err as Error).message}`);
  }
}

const operationsOf = (definitions: readonly DefinitionNode[]) =>
  definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
const fragmentsOf = (definitions: readonly DefinitionNode[]) =>
  new Map(
    definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );

/** Validates one operation (with its fragments) against the schema; throws naming it. */
function checkAgainstSchema(
  schema: GraphQLSchema,
  text: string,
  name: string | null,
  hash: string,
) {
  const errors = validate(schema, parse(text, { noLocation: true }));
  if (errors.length)
    throw bad(`操作${label(name, hash)}与接口不符：${errors[0]!.message}`, {
      operation: name,
      hash,
    });
}

/**
 * The operations of an administrator's source: a persisted-documents manifest (JSON: `{hash:
 * document}` or Apollo's `{format: "apollo-persisted-query-manifest", operations: [{id, body}]}`)
 * whose every key must be the sha256 of its document, or a GraphQL document whose every
 * operation becomes one entry in canonical form. Every operation must pass the schema; the
 * first one that does not refuses the whole source (BAD_USER_INPUT naming it).
 */
export function parseOperations(source: string, schema = operationSchema()): ParsedOperation[] {
  const text = source.trim();
  if (!text) throw bad('请粘贴 GraphQL 操作文档或持久化操作清单（JSON）。');
  const found: ParsedOperation[] = [];
  if (text.startsWith('{') || text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw bad('清单不是有效的 JSON。');
    }
    const entries = manifestEntries(json);
    for (const [hash, document] of entries) {
      const where = `清单中的 ${hash.slice(0, 12)}… `;
      if (!/^[0-9a-f]{64}$/.test(hash)) throw bad(`${where}的键不是 sha256 十六进制摘要。`);
      if (typeof document !== 'string') throw bad(`${where}的内容不是 GraphQL 文本。`);
      if (documentHash(document) !== hash)
        throw bad(`${where}的摘要与其文档不符（应为文档文本的 sha256）。`, { hash });
      const { definitions } = parseDocument(document, where);
      const operations = operationsOf(definitions);
      if (operations.length !== 1) throw bad(`${where}须恰好包含一个操作。`, { hash });
      const op = operations[0]!;
      const name = op.name?.value ?? null;
      const canonical = canonicalOperation(op, (n) => fragmentsOf(definitions).get(n));
      checkAgainstSchema(schema, document, name, hash);
      found.push({
        hash,
        canonicalHash: documentHash(canonical),
        name,
        type: op.operation,
        document,
      });
    }
  } else {
    const { definitions } = parseDocument(text, '所粘贴的内容');
    const operations = operationsOf(definitions);
    if (operations.length === 0) throw bad('文档中没有操作（query、mutation 或 subscription）。');
    if (operations.length > 1 && operations.some((o) => !o.name))
      throw bad('文档包含多个操作时，每个操作都须命名。');
    const fragments = fragmentsOf(definitions);
    for (const op of operations) {
      const name = op.name?.value ?? null;
      let canonical: string;
      try {
        canonical = canonicalOperation(op, (n) => fragments.get(n));
      } catch (err) {
        throw bad(`操作“${name ?? '匿名操作'}”引用的片段不存在：${(err as Error).message}`);
      }
      const hash = documentHash(canonical);
      checkAgainstSchema(schema, canonical, name, hash);
      found.push({ hash, canonicalHash: hash, name, type: op.operation, document: canonical });
    }
  }
  if (found.length === 0) throw bad('清单中没有操作。');
  if (found.length > maxOperationsPerRegistration)
    throw bad(`一次最多登记 ${maxOperationsPerRegistration} 个操作，请分批登记。`);
  return [...new Map(found.map((o) => [o.hash, o])).values()];
}

/** The `[hash, document]` pairs of a manifest in either format. */
function manifestEntries(json: unknown): [string, unknown][] {
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    if (o.format === 'apollo-persisted-query-manifest' || Array.isArray(o.operations)) {
      if (!Array.isArray(o.operations)) throw bad('Apollo 清单缺少 operations 数组。');
      return o.operations.map((op) => {
        const e = (op ?? {}) as Record<string, unknown>;
        return [String(e.id ?? ''), e.body];
      });
    }
    return Object.entries(o);
  }
  throw bad('清单应为 “摘要 → 文档” 的 JSON 对象，或 Apollo 的 persisted query manifest。');
}

/**
 * What the gateway's per-request token check answers about the application besides its scopes
 * (read from the document the check reads anyway): its rate limit, whether it runs only its
 * registered operations (null: the deployment's default) and the revision of those operations.
 */
export const gatewayPolicy = (app: ApplicationDoc) => ({
  rateLimitPerMinute: app.rateLimitPerMinute,
  operationsOnly: app.registeredOperationsOnly ?? null,
  operationsRevision: app.operationsRevision ?? '',
});
export type GatewayPolicy = ReturnType<typeof gatewayPolicy>;

export interface ApplicationOperationSettings {
  /** NODE_ENV=production: applications run only registered operations unless switched off. */
  production: boolean;
}

/**
 * The allowlists: registered, removed and switched by administrators (each change audited and
 * a new `operationsRevision` on the application, which the gateway's per-request check carries),
 * and read by the gateway through an internal route when that revision changes.
 */
export function createApplicationOperationService(
  models: IdentityModels,
  audit: AuditService,
  settings: ApplicationOperationSettings,
  now: () => Date,
) {
  const owned = () => identityOwned(models).operationsByApplication;
  const appById = async (id: string) => {
    const app = await models.Application.findById(id).lean<ApplicationDoc>().exec();
    if (!app) throw new AppError('NOT_FOUND', '接入应用不存在。');
    return app;
  };
  const bump = (id: string) =>
    models.Application.updateOne(
      { _id: id },
      { $set: { operationsRevision: randomBytes(9).toString('base64url') } },
    ).exec();
  const record = (
    identity: Identity,
    kind: 'APP_OPERATIONS_REGISTERED' | 'APP_OPERATION_REMOVED' | 'APP_UPDATED',
    app: ApplicationDoc,
    client: ClientInfo,
    detail: string,
  ) =>
    audit.record({
      kind,
      actorId: requireRole(identity, 'ADMINISTRATOR').administratorId,
      actorRole: 'ADMINISTRATOR',
      targetId: app._id,
      ip: client.ip,
      detail: `${app.name}：${detail}`,
    });
  const list = async (clientId: string) =>
    (await owned().find(clientId)).sort(
      (a, b) => b.registeredAt.getTime() - a.registeredAt.getTime() || (a._id < b._id ? -1 : 1),
    );

  return {
    /** Whether the application runs only its registered operations. */
    operationsOnly: (app: Pick<ApplicationDoc, 'registeredOperationsOnly'>): boolean =>
      app.registeredOperationsOnly ?? settings.production,

    /** An application's registered operations, newest first (administrators). */
    async list(identity: Identity, clientId: string): Promise<ApplicationOperationDoc[]> {
      requireRole(identity, 'ADMINISTRATOR');
      return list(clientId);
    },

    /** Registers the operations of `source` (all or none); answers them, new and already there. */
    async register(
      identity: Identity,
      clientId: string,
      source: string,
      client: ClientInfo,
    ): Promise<ApplicationOperationDoc[]> {
      const admin = requireRole(identity, 'ADMINISTRATOR');
      const app = await appById(clientId);
      if (typeof source !== 'string' || source.length > 60 * 1024)
        throw bad('内容过长，请分批登记（每次最多 60 KB）。');
      const parsed = parseOperations(source);
      const existing = new Set((await list(clientId)).map((o) => o.hash));
      const fresh = parsed.filter((o) => !existing.has(o.hash));
      if (existing.size + fresh.length > maxOperationsPerApplication)
        throw bad(`每个应用最多登记 ${maxOperationsPerApplication} 个操作。`);
      const at = now();
      const ids = fresh.map((o) => `${clientId}:${o.hash}`);
      if (ids.length) await owned().added(clientId, ids);
      for (const o of fresh) {
        // A unique `_id`: a concurrent registration of the same operation inserts it once.
        await models.ApplicationOperation.create({
          _id: `${clientId}:${o.hash}`,
          clientId,
          ...o,
          registeredBy: admin.administratorId,
          registeredAt: at,
        }).catch((err: { code?: number }) => {
          if (err?.code !== 11000) throw err;
        });
      }
      if (fresh.length) {
        await bump(clientId);
        await record(
          identity,
          'APP_OPERATIONS_REGISTERED',
          app,
          client,
          `登记操作 ${fresh.length} 个：${fresh.map((o) => label(o.name, o.hash)).join('、')}`,
        );
      }
      const wanted = new Set(parsed.map((o) => o.hash));
      return (await list(clientId)).filter((o) => wanted.has(o.hash));
    },

    /** Removes one registered operation; the gateway stops accepting it at the app's next request. */
    async remove(
      identity: Identity,
      clientId: string,
      hash: string,
      client: ClientInfo,
    ): Promise<ApplicationDoc> {
      requireRole(identity, 'ADMINISTRATOR');
      const app = await appById(clientId);
      const id = `${clientId}:${hash}`;
      const gone = await models.ApplicationOperation.findOneAndDelete({ _id: id })
        .lean<ApplicationOperationDoc>()
        .exec();
      if (!gone) throw new AppError('NOT_FOUND', '该应用没有登记此操作。');
      await owned().left(clientId, id);
      await bump(clientId);
      await record(
        identity,
        'APP_OPERATION_REMOVED',
        app,
        client,
        `移除操作 ${label(gone.name ?? null, hash)}`,
      );
      return appById(clientId);
    },

    /** Switches "only registered operations" for an application (audited as a change). */
    async setOperationsOnly(
      identity: Identity,
      clientId: string,
      only: boolean,
      client: ClientInfo,
    ): Promise<ApplicationDoc> {
      requireRole(identity, 'ADMINISTRATOR');
      const app = await appById(clientId);
      const before = app.registeredOperationsOnly ?? settings.production;
      await models.Application.updateOne(
        { _id: clientId },
        { $set: { registeredOperationsOnly: only } },
      ).exec();
      if (before !== only || app.registeredOperationsOnly == null)
        await record(
          identity,
          'APP_UPDATED',
          app,
          client,
          `仅允许已登记操作：${before ? '开' : '关'} → ${only ? '开' : '关'}`,
        );
      return appById(clientId);
    },

    /** The gateway's read of an application's operations (internal route); null when unknown. */
    async forGateway(clientId: string): Promise<GatewayOperations | null> {
      const app = await models.Application.findById(clientId).lean<ApplicationDoc>().exec();
      if (!app) return null;
      return {
        revision: app.operationsRevision ?? '',
        operations: (await list(clientId)).map((o) => ({
          hash: o.hash,
          canonicalHash: o.canonicalHash,
          document: o.document,
        })),
      };
    },
  };
}
export type ApplicationOperationService = ReturnType<typeof createApplicationOperationService>;
