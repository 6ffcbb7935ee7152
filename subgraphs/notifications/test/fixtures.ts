// Named fixtures of the notifications tests: two lawyers and a prosecutor with their messages.
import { lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import type { messageKinds } from '../src/models/index.ts';
import type { Harness } from './harness.ts';

type Message = { kind: (typeof messageKinds)[number]; title: string; body: string };

export const zhangSanId = 'lawyer-zhangsan';
export const liSiId = 'lawyer-lisi';
export const wangId = 'prosecutor-wang';
export const zhangSan = lawyerIdentity(zhangSanId);
export const liSi = lawyerIdentity(liSiId);
export const wangSh = prosecutorIdentity(wangId, 'SH-310000');

export const bindingApproved = { kind: 'BINDING_APPROVED', title: '案件绑定申请已通过', body: '您的案件绑定申请已审核通过。' } as const;
export const readingRejected = { kind: 'READING_REJECTED', title: '在线阅卷申请未通过', body: '您的在线阅卷申请未通过审核。' } as const;
export const newApplication = { kind: 'NEW_APPLICATION', title: '新的案件绑定申请', body: '本院有一件新的案件绑定申请待审核。' } as const;

/** `n` notifications of one recipient, the first `read` of them already read; returns ids oldest first. */
export async function seedNotifications(h: Harness, recipientId: string, recipientRole: 'LAWYER' | 'PROSECUTOR', n: number, read = 0, message: Message = bindingApproved): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const doc = await h.models.Notification.create({ recipientId, recipientRole, ...message, subjectId: `subject-${i}`, readAt: i < read ? new Date('2025-01-01T00:00:00Z') : null });
    ids.push(doc._id);
  }
  return ids;
}
