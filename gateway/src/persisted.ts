// Persisted operations: the clients' operations are extracted at build time into a manifest
// (sha256 of the document → document, written by @yuejuan/operations); in production the
// gateway runs only those. A client names one by hash, either way:
//   { "documentId": "sha256:<hex>" }                                (GraphQL over HTTP draft)
//   { "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "<hex>" } } }   (Apollo)
// or sends the operation's text as usual: it is matched by its canonical form (@yuejuan/schema),
// so a client built from the same sources needs no change. Either way the gateway puts the
// manifest's text in the request before Apollo sees it. Apollo's own automatic persisted
// queries are off, so nobody can register new operations.
import { existsSync, readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import { refusalsTotal } from './metrics.ts';
import { canonicalRequest, documentHash } from '@yuejuan/schema';

export { documentHash };

const hashPattern = /^[0-9a-f]{64}$/;

/**
 * Reads the manifest; a missing file is an empty manifest (no client built yet). A file that
 * is not a map of sha256 → document, or whose keys are not their documents' hashes, throws.
 */
export function loadManifest(path: string): ReadonlyMap<string, string> {
  if (!existsSync(path)) return new Map();
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${path}: not a map of sha256 → document`);
  const entries = Object.entries(parsed as Record<string, unknown>);
  for (const [hash, document] of entries) {
    if (typeof document !== 'string' || documentHash(document) !== hash)
      throw new Error(`${path}: entry ${hash.slice(0, 16)}… is not the sha256 of its document`);
  }
  return new Map(entries as [string, string][]);
}

export type PersistedRefusal = { status: number; code: string; message: string };

const refusals = {
  notFound: {
    status: 400,
    code: 'PERSISTED_QUERY_NOT_FOUND',
    message: '未知的持久化操作，请更新客户端后重试。',
  },
  required: {
    status: 400,
    code: 'PERSISTED_QUERY_REQUIRED',
    message: '本接口只接受已登记的持久化操作。',
  },
  badId: { status: 400, code: 'BAD_REQUEST', message: '持久化操作的标识格式不正确。' },
  method: { status: 405, code: 'METHOD_NOT_ALLOWED', message: '请使用 POST 提交 GraphQL 请求。' },
} satisfies Record<string, PersistedRefusal>;

/** The hash a request names, if any: undefined when none, null when malformed. */
function requestedHash(body: Record<string, unknown>): string | null | undefined {
  const documentId = body.documentId;
  const apq = (body.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  if (documentId === undefined && apq === undefined) return undefined;
  const raw = documentId ?? apq?.sha256Hash;
  if (typeof raw !== 'string') return null;
  const hash = raw.startsWith('sha256:') ? raw.slice(7) : raw;
  return hashPattern.test(hash) ? hash : null;
}

export interface PersistedPolicy {
  manifest: ReadonlyMap<string, string>;
  /** Hand-written operations run (development, or the explorer explicitly on). */
  freeText: boolean;
  /** The parser's token limit, for reading a sent text to compare it with the manifest. */
  maxTokens: number;
}

/**
 * Resolves the operation of a POST body in place: a named hash becomes the manifest's
 * document; a sent text runs where free text may, and otherwise only when its canonical form
 * (@yuejuan/schema's canonical form) is a manifest operation, whose manifest text then runs. Returns a refusal,
 * or null to go on.
 */
export function resolvePersisted(
  body: Record<string, unknown>,
  policy: PersistedPolicy,
): PersistedRefusal | null {
  const { manifest, freeText } = policy;
  const hash = requestedHash(body);
  if (hash === null) return refusals.badId;
  if (hash !== undefined) {
    const document = manifest.get(hash);
    // A hash with its text (Apollo's "register" call) runs the text only where free text may.
    if (document === undefined && !(freeText && typeof body.query === 'string'))
      return refusals.notFound;
    if (document !== undefined) body.query = document;
    delete body.documentId;
    const { persistedQuery: _named, ...rest } = (body.extensions ?? {}) as Record<string, unknown>;
    body.extensions = rest;
    return null;
  }
  if (freeText) return null;
  if (typeof body.query !== 'string') return refusals.required;
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  const canonical = manifest.has(documentHash(body.query))
    ? body.query
    : canonicalRequest(body.query, operationName, policy.maxTokens);
  const document = canonical === null ? undefined : manifest.get(documentHash(canonical));
  if (document === undefined) return refusals.required;
  body.query = document;
  return null;
}

/** Express middleware applying resolvePersisted to /graphql requests (GET only with free text). */
export function persistedOperations(policy: PersistedPolicy) {
  return (req: Request, res: Response, next: NextFunction) => {
    let refusal: PersistedRefusal | null = null;
    if (
      req.method === 'POST' &&
      req.body &&
      typeof req.body === 'object' &&
      !Array.isArray(req.body)
    ) {
      refusal = resolvePersisted(req.body as Record<string, unknown>, policy);
    } else if (req.method === 'GET' && !policy.freeText) {
      refusal = refusals.method; // GET operations live in the URL: none but POSTed, resolved ones
      res.set('allow', 'POST');
    }
    if (!refusal) return next();
    refusalsTotal.inc({ reason: refusal.code, transport: 'http' });
    res
      .status(refusal.status)
      .json({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
  };
}
