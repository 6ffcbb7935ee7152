import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startNotifications, type Harness } from './harness.ts';
import {
  liSi,
  liSiId,
  newApplication,
  seedNotifications,
  wangId,
  wangSh,
  zhangSan,
  zhangSanId,
} from './fixtures.ts';

const markRead = /* GraphQL */ `
  mutation MarkRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`;
const markAll = /* GraphQL */ `
  mutation MarkAll {
    markAllNotificationsRead
  }
`;

describe('marking notifications read', () => {
  let h: Harness;
  let zhangSans: string[];
  let liSis: string[];

  beforeAll(async () => {
    h = await startNotifications('notifications_read');
  });
  beforeEach(async () => {
    await h.models.Notification.deleteMany({}).exec();
    zhangSans = await seedNotifications(h, zhangSanId, 'LAWYER', 4, 1); // 3 unread
    liSis = await seedNotifications(h, liSiId, 'LAWYER', 2);
    await seedNotifications(h, wangId, 'PROSECUTOR', 2, 0, newApplication);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const readAt = async (id: string) =>
    (await h.models.Notification.findById(id).lean().exec())!.readAt;

  it("marks one of the caller's notifications read, and says when", async () => {
    const before = Date.now();
    const result = await h.call(zhangSan, markRead, { id: zhangSans[3] });
    expect(result.errors).toBeUndefined();
    const stored = await readAt(zhangSans[3]!);
    expect(stored).toBeInstanceOf(Date);
    expect(stored!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(result.data.markNotificationRead).toEqual({
      id: zhangSans[3],
      readAt: stored!.toISOString(),
    });
  });

  it('keeps the first read time when marked again', async () => {
    const result = await h.call(zhangSan, markRead, { id: zhangSans[0] });
    expect(result.data.markNotificationRead.readAt).toBe('2025-01-01T00:00:00.000Z');
    expect(await readAt(zhangSans[0]!)).toEqual(new Date('2025-01-01T00:00:00.000Z'));
  });

  it("answers NOT_FOUND for someone else's notification and leaves it unread", async () => {
    const result = await h.call(zhangSan, markRead, { id: liSis[0] });
    expect(result.data).toBeNull();
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(await readAt(liSis[0]!)).toBeNull();
    expect(codes(await h.call(zhangSan, markRead, { id: 'no-such-notification' }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(codes(await h.call(anonymous, markRead, { id: liSis[0] }))).toEqual(['UNAUTHENTICATED']);
  });

  it("marks all of the caller's unread notifications read and returns how many", async () => {
    const result = await h.call(zhangSan, markAll);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ markAllNotificationsRead: 3 });
    const mine = await h.models.Notification.find({ recipientId: zhangSanId }).lean().exec();
    expect(mine.every((n) => n.readAt instanceof Date)).toBe(true);
    expect(mine.find((n) => n._id === zhangSans[0])!.readAt).toEqual(
      new Date('2025-01-01T00:00:00.000Z'),
    );
    expect(
      await h.models.Notification.countDocuments({
        recipientId: { $ne: zhangSanId },
        readAt: null,
      }).exec(),
    ).toBe(4);

    expect((await h.call(zhangSan, markAll)).data).toEqual({ markAllNotificationsRead: 0 });
  });

  it("lets a prosecutor mark their own notifications read, and no one else's", async () => {
    expect((await h.call(wangSh, markAll)).data).toEqual({ markAllNotificationsRead: 2 });
    expect(
      await h.models.Notification.countDocuments({ recipientId: wangId, readAt: null }).exec(),
    ).toBe(0);
    expect(codes(await h.call(wangSh, markRead, { id: liSis[1] }))).toEqual(['NOT_FOUND']);
    expect(await readAt(liSis[1]!)).toBeNull();
    expect(codes(await h.call(liSi, markRead, { id: zhangSans[3] }))).toEqual(['NOT_FOUND']);
    expect(await readAt(zhangSans[3]!)).toBeNull();
  });

  it('refuses an anonymous caller', async () => {
    expect(codes(await h.call(anonymous, markAll))).toEqual(['UNAUTHENTICATED']);
    expect(await h.models.Notification.countDocuments({ readAt: null }).exec()).toBe(7);
  });
});
