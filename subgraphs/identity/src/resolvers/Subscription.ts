import type { DomainEvent } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { IdentityServices } from '../services/index.ts';

// Served by identity over the event bus: the secret or session is checked when subscribing,
// the bus is filtered to the one ticket or challenge, and each event is resolved fresh.
export const Subscription = (s: IdentityServices) => ({
  loginTicketChanged: {
    subscribe: (_: unknown, a: { id: string; ticketSecret: string }) =>
      s.tickets.listen(a.id, a.ticketSecret),
    resolve: (event: DomainEvent) => s.tickets.atEvent(event),
  },
  sessionsEnded: {
    subscribe: (_: unknown, __: unknown, { identity }: Context) => s.sessionsEnded(identity),
    resolve: (event: DomainEvent) => ({ sessionIds: event.payload.sessionIds as string[] }),
  },
  verificationChallengeChanged: {
    subscribe: (_: unknown, { id }: { id: string }, { identity }: Context) =>
      s.challenges.listen(identity, id),
    resolve: (event: DomainEvent) => s.challenges.atEvent(event),
  },
});
