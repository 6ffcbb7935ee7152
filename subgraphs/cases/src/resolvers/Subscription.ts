import {
  AppError,
  existing,
  perEvent,
  type DomainEvent,
  type EventBus,
  type Identity,
} from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { BindingApplicationDoc } from '../models/index.ts';
import { bindingChangedTopic, type BindingChangedPayload } from '../services/events.ts';

export { bindingChangedTopic, type BindingChangedPayload };

/** Who follows which application changes: the lawyer their own, a prosecutor their procuratorate's. */
function followerFilter(identity: Identity): (event: DomainEvent) => boolean {
  const p = (e: DomainEvent) => e.payload as BindingChangedPayload;
  switch (identity.role) {
    case 'LAWYER':
      return (e) => p(e).lawyerId === identity.lawyerId;
    case 'PROSECUTOR':
      return (e) => p(e).procuratorateId === identity.procuratorateId;
    case 'ADMINISTRATOR':
      return () => true;
    default:
      throw new AppError('UNAUTHENTICATED', '请先登录后再订阅。');
  }
}

export const Subscription = (bus: EventBus) => {
  const shared = perEvent<BindingApplicationDoc>();
  return {
    bindingApplicationChanged: {
      subscribe: (_: unknown, __: unknown, { identity }: Context) =>
        bus.listen([bindingChangedTopic], followerFilter(identity)),
      // The event carries keys; the application is read fresh, as the subscriber may see it.
      // One read per event for all subscribers of this process (perEvent).
      resolve: (event: DomainEvent, _: unknown, { loaders }: Context) =>
        shared(event, () =>
          existing(
            loaders.bindingApplication,
            (event.payload as BindingChangedPayload).applicationId,
            '案件绑定申请',
          ),
        ),
    },
  };
};
