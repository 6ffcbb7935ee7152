// A local fake of identity's internal contact routes. It accepts only a SERVICE token minted for
// identity (as the real routes must), serves `/internal/contacts` (the preamble's contract) and,
// unless told not to, `/internal/contacts/by-procuratorate` (the route this subgraph designs
// for identity to implement); without it, that path answers 404 like a missing express route.
import { verifyInternalToken, internalTokenHeader } from '@yuejuan/runtime';
import type { Contact } from '../../src/services/contacts.service.ts';
import { startFake } from '@yuejuan/testing/simulators';

export interface IdentityFakeOptions {
  secret: string;
  contacts: (Contact & { procuratorateId?: string })[];
  /** Serve the by-procuratorate route (default true). */
  byProcuratorate?: boolean;
}

export async function startFakeIdentity(options: IdentityFakeOptions) {
  const calls: { path: string; body: unknown }[] = [];
  let down = false;
  const state = { byProcuratorate: options.byProcuratorate ?? true };
  const server = await startFake(async (req) => {
    if (down) return { status: 503, json: { error: 'down' } };
    try {
      const caller = await verifyInternalToken(
        options.secret,
        'identity',
        req.headers[internalTokenHeader] as string | undefined,
      );
      if (caller.role !== 'SERVICE') return { status: 403, json: { error: 'FORBIDDEN' } };
    } catch {
      return { status: 401, json: { error: 'UNAUTHENTICATED' } };
    }
    const body = JSON.parse(req.body || '{}') as { ids?: string[]; procuratorateId?: string };
    calls.push({ path: req.url.pathname, body });
    const strip = ({ procuratorateId: _p, ...c }: Contact & { procuratorateId?: string }) => c;
    if (req.url.pathname === '/internal/contacts')
      return {
        json: { contacts: options.contacts.filter((c) => body.ids?.includes(c.id)).map(strip) },
      };
    if (req.url.pathname === '/internal/contacts/by-procuratorate' && state.byProcuratorate) {
      return {
        json: {
          contacts: options.contacts
            .filter((c) => c.role === 'PROSECUTOR' && c.procuratorateId === body.procuratorateId)
            .map(strip),
        },
      };
    }
    return { status: 404, json: { error: 'Cannot POST' } };
  });
  return {
    url: server.url,
    calls,
    state,
    setDown(value: boolean) {
      down = value;
    },
    close: server.close,
  };
}
export type FakeIdentity = Awaited<ReturnType<typeof startFakeIdentity>>;
