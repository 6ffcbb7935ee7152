import { AppError, type DomainEvent, type EventBus, type Identity } from '@yuejuan/runtime';
import type { Context } from '../context.ts';

export const bindingChangedTopic = 'cases.bindingApplication.changed';

/** Payload of `cases.bindingApplication.changed`: keys only. */
export interface BindingChangedPayload extends Record<string, unknown> {
  applicationId: string;
  lawyerId: string;
  procuratorateId: string;
  caseId: string;
  status: string;
}

/** Who follows which application changes: the lawyer their own, a prosecutor their procuratorate's. */
function followerFilter(identity: Identity): (event: DomainEvent) => boolean {
  const p = (e: DomainEvent) => e.payload as BindingChangedPayload;
  switch (identity.role) {
    case 'LAWYER': return (e) => p(e).lawyerId === identity.lawyerId;
    case 'PROSECUTOR': return (e) => p(e).procuratorateId === identity.procuratorateId;
    case 'ADMINISTRATOR': return () => true;
    default: throw new AppError('UNAUTHENTICATED', '请先登录后再订阅。');
  }
}

export const Subscription = (bus: EventBus) => ({
  bindingApplicationChanged: {
    subscribe: (_: unknown, __: unknown, { identity }: Context) => bus.listen([bindingChangedTopic], followerFilter(identity)),
    // The event carries keys; the application is read fresh, as the subscriber may see it.
    resolve: (event: DomainEvent, _: unknown, { loaders }: Context) => loaders.bindingApplication.load((event.payload as BindingChangedPayload).applicationId),
  },
});
