// Named fixtures of the notifications tests: two lawyers and a prosecutor with their messages.
import { newId } from '@yuejuan/runtime';
import { lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { notificationsOwned, type messageKinds } from '../src/models/index.ts';
import type { Harness } from './harness.ts';

type Message = { kind: (typeof messageKinds)[number]; title: string; body: string };

export const zhangSanId = 'lawyer-zhangsan';
export const liSiId = 'lawyer-lisi';
export const wangId = 'prosecutor-wang';
export const zhangSan = lawyerIdentity(zhangSanId);
export const liSi = lawyerIdentity(liSiId);
export const wangSh = prosecutorIdentity(wangId, 'SH-310000');

export const bindingApproved = {
  kind: 'BINDING_APPROVED',
  title: '案件绑定申请已通过',
  body: '您的案件绑定申请已审核通过。',
} as const;
export const readingRejected = {
  kind: 'READING_REJECTED',
  title: '在线阅卷申请未通过',
  body: '您的在线阅卷申请未通过审核。',
} as const;
export const newApplication = {
  kind: 'NEW_APPLICATION',
  title: '新的案件绑定申请',
  body: '本院有一件新的案件绑定申请待审核。',
} as const;

/**
 * `n` notifications of one recipient, the first `read` of them already read; returns ids oldest
 * first. Written as the service writes them: into the recipient's id sets first (FerretDB), then
 * the document.
 */
export async function seedNotifications(
  h: Harness,
  recipientId: string,
  recipientRole: 'LAWYER' | 'PROSECUTOR',
  n: number,
  read = 0,
  message: Message = bindingApproved,
): Promise<string[]> {
  const ids: string[] = [];
  const owned = notificationsOwned(h.models);
  for (let i = 0; i < n; i++) {
    const id = newId();
    await owned.byRecipient.added(recipientId, id);
    if (i >= read) await owned.unreadByRecipient.added(recipientId, id);
    const doc = await h.models.Notification.create({
      _id: id,
      recipientId,
      recipientRole,
      ...message,
      subjectId: `subject-${i}`,
      readAt: i < read ? new Date('2025-01-01T00:00:00Z') : null,
    });
    ids.push(doc._id);
  }
  return ids;
}

// Contacts as identity answers them (the fake identity serves these).
export const zhangSanPhone = '13800000001';
export const liSiPhone = '13800000002';
export const zhaoId = 'prosecutor-zhao';
export const qianId = 'prosecutor-qian';
export const shanghai = 'SH-310000';
export const anhui = 'AH-340000';
export const wangLiuId = 'lawyer-wangliu'; // registered without a phone
export const contacts = [
  { id: zhangSanId, role: 'LAWYER' as const, name: '张三', phone: zhangSanPhone },
  { id: liSiId, role: 'LAWYER' as const, name: '李四', phone: liSiPhone },
  { id: wangLiuId, role: 'LAWYER' as const, name: '王六', phone: null },
  {
    id: wangId,
    role: 'PROSECUTOR' as const,
    name: '王检察官',
    phone: '13900000001',
    procuratorateId: shanghai,
  },
  {
    id: zhaoId,
    role: 'PROSECUTOR' as const,
    name: '赵检察官',
    phone: '13900000002',
    procuratorateId: shanghai,
  },
  {
    id: qianId,
    role: 'PROSECUTOR' as const,
    name: '钱检察官',
    phone: '13900000003',
    procuratorateId: anhui,
  },
];

/** A binding application's change, as cases publishes it. */
export const bindingChanged = (status: string, extra: Record<string, unknown> = {}) => ({
  applicationId: `binding-${Math.random().toString(36).slice(2, 8)}`,
  lawyerId: zhangSanId,
  procuratorateId: shanghai,
  caseId: 'case-1',
  caseName: '李某盗窃案',
  status,
  ...extra,
});

// Provider settings for the fake servers (made-up keys; the fakes check signatures with them).
export const aliyunKeys = {
  accessKeyId: 'LTAI-test-key-id',
  accessKeySecret: 'test-secret-aliyun-0123456789',
};
export const tencentKeys = {
  secretId: 'AKID-test-secret-id',
  secretKey: 'test-secret-tencent-0123456789',
  sdkAppId: '1400000001',
};
export const receiptToken = 'receipt-token-0123456789abcdef';
export const templateIds = {
  BINDING_APPROVED: 'SMS_100001',
  BINDING_REJECTED: 'SMS_100002',
  BINDING_MATERIALS_REQUESTED: 'SMS_100003',
  READING_APPROVED: 'SMS_100004',
  READING_REJECTED: 'SMS_100005',
  PACKAGE_READY: 'SMS_100006',
  DOCUMENT_PASSWORD: 'SMS_100007',
  LOGIN_CODE: 'SMS_100008',
  BINDING_PHONE_CODE: 'SMS_100009',
  PROSECUTOR_LOGIN_CODE: 'SMS_100010',
  BINDING_REVOKED: 'SMS_100011',
  PACKAGE_REVOKED: 'SMS_100012',
  PACKAGE_EXPIRING: 'SMS_100013',
  APPOINTMENT_CONFIRMED: 'SMS_100014',
  APPOINTMENT_RESCHEDULED: 'SMS_100015',
  APPOINTMENT_DECLINED: 'SMS_100016',
  PACKAGE_SUPPLEMENTED: 'SMS_100017',
};
export const aliyunEnv = (endpoint: string) => ({
  SMS_PROVIDER: 'aliyun',
  SMS_ALIYUN_ENDPOINT: endpoint,
  SMS_ALIYUN_ACCESS_KEY_ID: aliyunKeys.accessKeyId,
  SMS_ALIYUN_ACCESS_KEY_SECRET: aliyunKeys.accessKeySecret,
  SMS_ALIYUN_RECEIPT_TOKEN: receiptToken,
  SMS_TEMPLATE_IDS: JSON.stringify(templateIds),
});
export const tencentEnv = (endpoint: string) => ({
  SMS_PROVIDER: 'tencent',
  SMS_TENCENT_ENDPOINT: endpoint,
  SMS_TENCENT_SECRET_ID: tencentKeys.secretId,
  SMS_TENCENT_SECRET_KEY: tencentKeys.secretKey,
  SMS_TENCENT_SDK_APP_ID: tencentKeys.sdkAppId,
  SMS_TEMPLATE_IDS: JSON.stringify(templateIds),
});
