import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSecrets } from '@yuejuan/runtime/testing';
import { registry } from '@yuejuan/runtime';
import { consumedTopics } from '../src/services/events.service.ts';
import { startFakeIdentity, type FakeIdentity } from './fakes/identity.ts';
import { startNotifications, until, type Harness } from './harness.ts';
import {
  anhui,
  bindingChanged,
  contacts,
  liSiId,
  qianId,
  shanghai,
  wangId,
  wangLiuId,
  zhangSanId,
  zhangSanPhone,
  zhaoId,
} from './fixtures.ts';

describe('domain events become SMS and in-app notifications', () => {
  let h: Harness;
  let identity: FakeIdentity;

  beforeAll(async () => {
    const secrets = testSecrets();
    identity = await startFakeIdentity({ secret: secrets.internal, contacts });
    h = await startNotifications('notifications_events', {
      secrets,
      env: { IDENTITY_INTERNAL_URL: identity.url, SMS_MAX_ATTEMPTS: '10' },
    });
    await new Promise((r) => setTimeout(r, 300)); // the durable consumer opens its cursor
  });
  afterAll(async () => {
    await h?.stop();
    await identity?.close();
  });

  const notificationsOf = (recipientId: string) =>
    h.models.Notification.find({ recipientId }).sort({ _id: 1 }).lean().exec();

  it('a rejected binding: an SMS from the BINDING_REJECTED template to the lawyer’s phone, and an in-app notification', async () => {
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('REJECTED', { reason: '授权委托书不清晰' }),
    );

    const sent = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    const inbox = (await h.models.DevSms.findById(sent._id).lean().exec())!;
    expect(inbox.phone).toBe(zhangSanPhone);
    expect(inbox.text).toBe(
      '【12309中国检察网】您提交的案件绑定申请未通过审核，原因：授权委托书不清晰。',
    );
    const message = await h.models.SmsMessage.findById(inbox._id).lean().exec();
    expect(message).toMatchObject({
      dedupeKey: `event:${event.id}`,
      kind: 'BINDING_REJECTED',
      phone: zhangSanPhone,
      recipientId: zhangSanId,
      status: 'SENT',
      attempts: 1,
      provider: 'dev',
      variables: { reason: '授权委托书不清晰' },
    });
    expect(await h.models.SmsQueue.countDocuments({ _id: inbox._id }).exec()).toBe(0);

    const notification = await h.models.Notification.findById(`${event.id}:${zhangSanId}`)
      .lean()
      .exec();
    expect(notification).toMatchObject({
      recipientId: zhangSanId,
      recipientRole: 'LAWYER',
      kind: 'BINDING_REJECTED',
      title: '案件绑定申请未通过',
      body: '您的案件绑定申请未通过审核，原因：授权委托书不清晰。',
      subjectId: event.payload.applicationId,
      readAt: null,
    });
  });

  it("a long note asking for materials: the SMS within the template's length, the in-app message in full (issue 15)", async () => {
    const note =
      '请补充：一、加盖律师事务所公章的律师事务所函原件扫描件；二、委托人身份证正反面扫描件；三、委托人与犯罪嫌疑人关系证明（户口簿或派出所证明）。';
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('MATERIALS_REQUESTED', { reason: note }),
    );
    const sent = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    const inbox = (await h.models.DevSms.findById(sent._id).lean().exec())!;
    expect(inbox.text).toContain('需补充材料：请补充：一、加盖律师事务所公章');
    expect(inbox.text).toContain('…');
    expect(inbox.text).not.toContain('未注明');
    const notification = await h.models.Notification.findById(`${event.id}:${zhangSanId}`)
      .lean()
      .exec();
    expect(notification!.body).toContain(note);
  });

  it('binding and reading approvals name the case in the SMS and the message (issue 15)', async () => {
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('APPROVED'),
    );
    const sent = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    expect((await h.models.DevSms.findById(sent._id).lean().exec())!.text).toContain(
      '“李某盗窃案”案件绑定申请已审核通过',
    );
    expect(
      (await h.models.Notification.findById(`${event.id}:${zhangSanId}`).lean().exec())!.body,
    ).toContain('“李某盗窃案”');
    const reading = await h.db.bus.publish('reading.readingApplication.changed', {
      ...bindingChanged('APPROVED'),
      caseName: '陈某诈骗案',
    });
    const readingSms = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${reading.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    expect((await h.models.DevSms.findById(readingSms._id).lean().exec())!.text).toContain(
      '“陈某诈骗案”的在线阅卷申请已审核通过',
    );
  });

  it('a package about to expire: the SMS and the message say until when, in Beijing time (issue 15.4)', async () => {
    const event = await h.db.bus.publish('reading.package.expiring', {
      packageId: 'package-9',
      appointmentId: 'appointment-9',
      lawyerId: zhangSanId,
      procuratorateId: shanghai,
      caseName: '陈某诈骗案',
      expiresAt: '2026-03-02T10:00:00.000Z',
    });
    const sent = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    expect((await h.models.DevSms.findById(sent._id).lean().exec())!.text).toBe(
      '【12309中国检察网】您申请的陈某诈骗案卷宗下载将于2026-03-02 18:00到期，请及时登录12309中国检察网下载。到期后如需阅卷，请重新申请。',
    );
    expect(
      await h.models.Notification.findById(`${event.id}:${zhangSanId}`).lean().exec(),
    ).toMatchObject({ kind: 'PACKAGE_EXPIRING', title: '卷宗即将到期', subjectId: 'package-9' });
    // /metrics: the attempt is counted by provider and outcome, and the outbox is empty again.
    const text = await registry.metrics();
    expect(text).toMatch(
      /yuejuan_sms_attempts_total\{provider="[a-z]+",outcome="sent",code=""\} [1-9]/,
    );
    expect(text).toMatch(/yuejuan_sms_outbox_depth \d+/);
    expect(text).toMatch(
      /yuejuan_bus_delivery_lag_seconds_count\{topic="reading.package.expiring"\} [1-9]/,
    );
  });

  it('补充卷宗: a ready package with volumes added tells the lawyer what was added, by SMS and in-app; a plain ready package only in-app (issue 18)', async () => {
    const base = {
      packageId: 'package-12',
      appointmentId: 'appointment-12',
      lawyerId: zhangSanId,
      procuratorateId: shanghai,
      status: 'READY',
      progress: 1,
    };
    const event = await h.db.bus.publish('reading.package.changed', {
      ...base,
      caseName: '陈某诈骗案',
      supplement: '第3卷 补充侦查材料（12页）',
    });
    const sent = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    expect((await h.models.DevSms.findById(sent._id).lean().exec())!.text).toContain(
      '您申请的陈某诈骗案卷宗已补充：第3卷 补充侦查材料（12页）。',
    );
    const note = await until(() =>
      h.models.Notification.findById(`${event.id}:${zhangSanId}`).lean().exec(),
    );
    expect(note).toMatchObject({
      kind: 'PACKAGE_SUPPLEMENTED',
      title: '卷宗已补充',
      subjectId: 'package-12',
    });
    expect(note.body).toContain('第3卷 补充侦查材料（12页）');

    const plain = await h.db.bus.publish('reading.package.changed', base);
    await until(() => h.models.Notification.findById(`${plain.id}:${zhangSanId}`).lean().exec());
    expect(
      await h.models.SmsMessage.findOne({ dedupeKey: `event:${plain.id}` })
        .lean()
        .exec(),
    ).toBeNull();
    expect(
      (await h.models.Notification.findById(`${plain.id}:${zhangSanId}`).lean().exec())!.kind,
    ).toBe('PACKAGE_READY');
  });

  it('bookings: confirmed, rescheduled and declined reach the lawyer with time, place and reason; a new booking reaches the procuratorate (issue 15.7)', async () => {
    const base = {
      appointmentId: 'appointment-7',
      lawyerId: zhangSanId,
      procuratorateId: shanghai,
      appointmentType: '听取意见',
      caseName: '周某某非法吸收存款案',
      location: '上海市人民检察院律师接待室',
      startsAt: '2026-03-03T01:30:00.000Z',
    };
    const texts: string[] = [];
    for (const [change, extra] of [
      ['CONFIRMED', {}],
      ['RESCHEDULED', { reason: '承办检察官出庭' }],
      ['DECLINED', { reason: '案件已移送审判' }],
    ] as const) {
      const event = await h.db.bus.publish('reading.appointment.changed', {
        ...base,
        change,
        status: change === 'DECLINED' ? 'CLOSED' : 'CONFIRMED',
        ...extra,
      });
      const sent = await until(() =>
        h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
          .lean()
          .exec(),
      );
      texts.push((await h.models.DevSms.findById(sent._id).lean().exec())!.text);
    }
    expect(texts).toEqual([
      '【12309中国检察网】您预约的周某某非法吸收存款案听取意见已确认，时间：2026-03-03 09:30，地点：上海市人民检察院律师接待室。请携带律师执业证按时到达。',
      '【12309中国检察网】您预约的周某某非法吸收存款案听取意见已改期至2026-03-03 09:30，地点：上海市人民检察院律师接待室，原因：承办检察官出庭。',
      '【12309中国检察网】您预约的周某某非法吸收存款案听取意见未获安排，原因：案件已移送审判。如有需要，可重新预约。',
    ]);
    const requested = await h.db.bus.publish('reading.appointment.changed', {
      ...base,
      change: 'REQUESTED',
      status: 'REQUESTED',
    });
    await until(async () =>
      (await notificationsOf(wangId)).some((n) => n.subjectId === 'appointment-7'),
    );
    expect(
      (await notificationsOf(wangId)).find((n) => n.subjectId === 'appointment-7')!.body,
    ).toContain('辩护与代理预约');
    expect(
      await h.models.SmsMessage.countDocuments({ dedupeKey: `event:${requested.id}` }).exec(),
    ).toBe(0);
  });

  it('the same event delivered twice (replay, and a second consuming process) makes one message and one notification', async () => {
    const second = h.db.bus.consume({
      name: 'notifications',
      topics: consumedTopics,
      handler: h.services.handleEvent,
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const event = await h.db.bus.publish(
        'cases.bindingApplication.changed',
        bindingChanged('APPROVED'),
      );
      await until(() =>
        h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
          .lean()
          .exec(),
      );
      await Promise.all([h.services.handleEvent(event), h.services.handleEvent(event)]); // a replay after a crash
      await new Promise((r) => setTimeout(r, 300));

      expect(
        await h.models.SmsMessage.countDocuments({ dedupeKey: `event:${event.id}` }).exec(),
      ).toBe(1);
      const message = await h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}` })
        .lean()
        .exec();
      expect(message).toMatchObject({ status: 'SENT', attempts: 1 });
      expect(await h.models.SmsQueue.countDocuments({ _id: message!._id }).exec()).toBe(0);
      expect(await h.models.DevSms.countDocuments({ _id: message!._id }).exec()).toBe(1);
      expect(
        await h.models.Notification.countDocuments({ _id: `${event.id}:${zhangSanId}` }).exec(),
      ).toBe(1);
    } finally {
      await second();
    }
  });

  it('a lawyer without a phone still gets the in-app notification; the SMS fails as NO_PHONE', async () => {
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('APPROVED', { lawyerId: wangLiuId }),
    );
    const failed = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'FAILED' })
        .lean()
        .exec(),
    );
    expect(failed).toMatchObject({
      attempts: 1,
      phone: null,
      lastError: 'NO_PHONE: 收件人未登记手机号码',
    });
    expect(
      await h.models.Notification.findById(`${event.id}:${wangLiuId}`).lean().exec(),
    ).toMatchObject({ kind: 'BINDING_APPROVED' });
  });

  it('identity unreachable when the SMS is due: retried with backoff, sent once identity answers', async () => {
    identity.setDown(true);
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('MATERIALS_REQUESTED', { reason: '请补充律师事务所函' }),
    );
    try {
      // Still queued (its queue item is the message until settled), with the reason it waits.
      await until(async () =>
        (
          await h.models.SmsQueue.findOne({ dedupeKey: `event:${event.id}` })
            .lean()
            .exec()
        )?.lastError?.startsWith('CONTACTS_UNAVAILABLE'),
      );
    } finally {
      identity.setDown(false);
    }
    const sent = await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${event.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(sent.phone).toBe(zhangSanPhone);
    expect((await h.models.DevSms.findById(sent._id).lean().exec())?.text).toBe(
      '【12309中国检察网】您提交的案件绑定申请需补充材料：请补充律师事务所函。请登录12309中国检察网补充后重新提交。',
    );
  });

  it('a reading decision reaches the lawyer; a ready package only in-app (its SMS with passwords comes through /internal/sms)', async () => {
    const approved = await h.db.bus.publish('reading.readingApplication.changed', {
      applicationId: 'reading-1',
      lawyerId: liSiId,
      procuratorateId: shanghai,
      caseId: 'case-2',
      status: 'APPROVED',
    });
    const ready = await h.db.bus.publish('reading.package.changed', {
      packageId: 'package-1',
      appointmentId: 'appointment-1',
      lawyerId: liSiId,
      procuratorateId: shanghai,
      status: 'READY',
      progress: 100,
    });

    await until(async () => (await notificationsOf(liSiId)).length === 2);
    const [a, b] = await notificationsOf(liSiId);
    expect(a).toMatchObject({
      _id: `${approved.id}:${liSiId}`,
      kind: 'READING_APPROVED',
      title: '在线阅卷申请已通过',
      subjectId: 'reading-1',
    });
    expect(b).toMatchObject({
      _id: `${ready.id}:${liSiId}`,
      kind: 'PACKAGE_READY',
      title: '卷宗已可下载',
      subjectId: 'package-1',
    });
    await until(() =>
      h.models.SmsMessage.findOne({ dedupeKey: `event:${approved.id}`, status: 'SENT' })
        .lean()
        .exec(),
    );
    expect(
      await h.models.SmsMessage.countDocuments({ dedupeKey: `event:${ready.id}` }).exec(),
    ).toBe(0);
  });

  it('a submitted application notifies every prosecutor of its procuratorate in-app, no one else, and sends no SMS', async () => {
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('SUBMITTED'),
    );

    const ids = [wangId, zhaoId, qianId].map((p) => `${event.id}:${p}`);
    await until(
      async () =>
        (await h.models.Notification.countDocuments({ _id: { $in: ids } }).exec()) === 2 &&
        !(await h.models.Fanout.findById(event.id).lean().exec()),
    );
    await new Promise((r) => setTimeout(r, 200)); // nothing more arrives
    const made = await h.models.Notification.find({ _id: { $in: ids } })
      .sort({ _id: 1 })
      .lean()
      .exec();
    expect(made.map((n) => n.recipientId).sort()).toEqual([wangId, zhaoId].sort());
    for (const n of made)
      expect(n).toMatchObject({
        recipientRole: 'PROSECUTOR',
        kind: 'NEW_APPLICATION',
        title: '新的待审核申请',
        body: '本院收到一件新的案件绑定申请，请及时审核。',
        subjectId: event.payload.applicationId,
      });
    expect(
      identity.calls.filter((c) => c.path === '/internal/contacts/by-procuratorate'),
    ).toContainEqual({
      path: '/internal/contacts/by-procuratorate',
      body: { procuratorateId: shanghai },
    });
    expect(
      await h.models.Notification.countDocuments({ _id: `${event.id}:${zhangSanId}` }).exec(),
    ).toBe(0);
    expect(
      await h.models.SmsMessage.countDocuments({ dedupeKey: `event:${event.id}` }).exec(),
    ).toBe(0);
  });

  it('without identity’s by-procuratorate route the fan-out waits (other events flow on) and completes once the route exists', async () => {
    identity.state.byProcuratorate = false;
    const submitted = await h.db.bus.publish('reading.readingApplication.changed', {
      applicationId: 'reading-9',
      lawyerId: zhangSanId,
      procuratorateId: anhui,
      caseId: 'case-9',
      status: 'SUBMITTED',
    });
    const pendingFanout = await until(async () => {
      const f = await h.models.Fanout.findById(submitted.id).lean().exec();
      return f && f.attempts >= 1 ? f : null;
    });
    expect(pendingFanout).toMatchObject({
      status: 'PENDING',
      lastError: 'identity 未提供 /internal/contacts/by-procuratorate',
    });

    const approved = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('APPROVED'),
    );
    await until(() => h.models.Notification.findById(`${approved.id}:${zhangSanId}`).lean().exec());

    identity.state.byProcuratorate = true;
    const qian = await until(() =>
      h.models.Notification.findById(`${submitted.id}:${qianId}`).lean().exec(),
    );
    await until(async () => !(await h.models.Fanout.findById(submitted.id).lean().exec()));
    expect(qian).toMatchObject({
      kind: 'NEW_APPLICATION',
      body: '本院收到一件新的在线阅卷申请，请及时审核。',
    });
  });
});
