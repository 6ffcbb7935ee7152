import { AppError, callInternal, type Logger } from '@yuejuan/runtime';

/** A person identity can reach: what `/internal/contacts` answers. */
export interface Contact {
  id: string;
  role: 'LAWYER' | 'PROSECUTOR';
  name: string;
  phone: string | null;
}

export interface ContactsOptions {
  /** identity's base URL (IDENTITY_INTERNAL_URL). */
  baseUrl: string;
  secret: string;
  logger: Logger;
  timeoutMs?: number;
}

/** identity does not (yet) serve a route this subgraph relies on. */
export class RouteMissingError extends Error {
  constructor(readonly route: string) {
    super(`identity 未提供 ${route}`);
    this.name = 'RouteMissingError';
  }
}

/**
 * Identity's contacts, over its internal routes (a SERVICE token minted for identity):
 * - `POST /internal/contacts` {ids} → {contacts} (the preamble's contract);
 * - `POST /internal/contacts/by-procuratorate` {procuratorateId} → {contacts: Contact[]} (the
 *   prosecutors of one procuratorate; designed here, for identity to implement). A 404 from it
 *   raises RouteMissingError, which callers treat as "not yet available", never as a crash.
 */
export function createContactsClient(options: ContactsOptions) {
  const target = {
    baseUrl: options.baseUrl,
    audience: 'identity',
    service: 'notifications',
    secret: options.secret,
    timeoutMs: options.timeoutMs ?? 3000,
  };

  async function post(path: string, body: unknown): Promise<Contact[]> {
    const res = await callInternal<{ contacts?: Contact[] }>(target, path, body);
    if (res.status === 404) throw new RouteMissingError(path);
    if (res.status !== 200 || !Array.isArray(res.body.contacts)) {
      throw new AppError('SERVICE_UNAVAILABLE', '身份服务暂不可用，请稍后再试。', {
        serviceName: 'identity',
        status: res.status,
      });
    }
    return res.body.contacts;
  }

  return {
    /** Contacts by person id (lawyers and prosecutors); unknown ids are absent from the map. */
    async byIds(ids: string[]): Promise<Map<string, Contact>> {
      const contacts = await post('/internal/contacts', { ids });
      return new Map(contacts.map((c) => [c.id, c]));
    },
    /** The prosecutors of one procuratorate. */
    async byProcuratorate(procuratorateId: string): Promise<Contact[]> {
      return (await post('/internal/contacts/by-procuratorate', { procuratorateId })).filter(
        (c) => c.role === 'PROSECUTOR',
      );
    },
  };
}
export type ContactsClient = ReturnType<typeof createContactsClient>;
