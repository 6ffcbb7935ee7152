import {
  AppError,
  existing,
  type DomainEvent,
  type EventBus,
  type Identity,
} from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import {
  packageChangedTopic,
  readingChangedTopic,
  type PackageChangedPayload,
  type ReadingChangedPayload,
} from '../services/events.ts';

/** Who follows a record's changes: its lawyer, its procuratorate's prosecutors, administrators. */
function follows(identity: Identity, p: { lawyerId: string; procuratorateId: string }): boolean {
  switch (identity.role) {
    case 'LAWYER':
      return p.lawyerId === identity.lawyerId;
    case 'PROSECUTOR':
      return p.procuratorateId === identity.procuratorateId;
    case 'ADMINISTRATOR':
      return true;
    default:
      throw new AppError('UNAUTHENTICATED', '请先登录后再订阅。');
  }
}

export const Subscription = (bus: EventBus) => ({
  readingApplicationChanged: {
    subscribe: (_: unknown, __: unknown, { identity }: Context) => {
      follows(identity, { lawyerId: '', procuratorateId: '' });
      return bus.listen([readingChangedTopic], (e: DomainEvent) =>
        follows(identity, e.payload as ReadingChangedPayload),
      );
    },
    // The event carries keys; the application is read fresh, as the subscriber may see it.
    resolve: (event: DomainEvent, _: unknown, { loaders }: Context) =>
      existing(
        loaders.application,
        (event.payload as ReadingChangedPayload).applicationId,
        '在线阅卷申请',
      ),
  },
  packageChanged: {
    subscribe: (_: unknown, { id }: { id: string }, { identity }: Context) => {
      follows(identity, { lawyerId: '', procuratorateId: '' });
      return bus.listen([packageChangedTopic], (e: DomainEvent) => {
        const p = e.payload as PackageChangedPayload;
        return p.packageId === id && follows(identity, p);
      });
    },
    resolve: async (event: DomainEvent, _: unknown, { loaders }: Context) => {
      const p = event.payload as PackageChangedPayload;
      const pkg = await existing(loaders.package, p.packageId, '卷宗');
      // Progress events come faster than the document may be re-read: show the event's progress.
      return pkg.status === 'PREPARING'
        ? { ...pkg, progress: Math.max(pkg.progress, p.progress) }
        : pkg;
    },
  },
});
