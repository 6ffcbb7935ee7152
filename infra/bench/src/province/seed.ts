// Seeds a year of one province straight into the subgraphs' collections: documents in the shape
// of each subgraph's mongoose model (the first of each kind is validated by the model), inserted
// with insertMany in batches, after the subgraphs created their collections and indexes.
// Growing from one size to the next adds only the difference.
import { createHash } from 'node:crypto';
import { BSON } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import { connectMongo, keyOf, replaceIdSets, replaceKeys, seqId } from '@yuejuan/runtime';
import { hashIdNumber, createIdentityServices } from '@yuejuan/identity/services';
import { createCasesServices } from '@yuejuan/cases/services';
import { readingModels } from '@yuejuan/reading/models';
import { notificationsModels } from '@yuejuan/notifications/models';
import type { DatabaseNames } from '../stack/seed.ts';
import {
  basicPerCity,
  cities,
  crimes,
  fullYear,
  hash,
  idAt,
  personName,
  pick,
  prosecutorsPerProcuratorate,
  registeredShare,
  sessionsPerRegisteredLawyer,
  unit,
  type Volumes,
} from './volume.ts';

const DAY = 86_400_000;
const BATCH = 1000;
/** The capped events collection's size, as the bus creates it (runtime/src/bus/bus.ts). */
export const EVENTS_CAPPED_BYTES = 64 * 1024 * 1024;

/** Entity kinds in generated ids (idAt). */
const K = {
  lawyer: 1,
  device: 2,
  session: 3,
  prosecutor: 4,
  case: 5,
  binding: 6,
  licence: 7,
  attachment: 8,
  reading: 9,
  appointment: 10,
  notification: 11,
  event: 12,
} as const;

export interface Procuratorate {
  _id: string;
  name: string;
  province: string;
  onlineReadingEnabled: boolean;
}

/** The province's procuratorates, in a fixed order (index 0: the provincial one). */
export function procuratorates(): Procuratorate[] {
  const list: Procuratorate[] = [
    { _id: 'AH-340000', name: '安徽省人民检察院', province: '安徽省', onlineReadingEnabled: true },
  ];
  cities.forEach((city, c) => {
    const code = `AH-34${String(c + 1).padStart(2, '0')}`;
    list.push({
      _id: `${code}00`,
      name: `${city}市人民检察院`,
      province: '安徽省',
      onlineReadingEnabled: true,
    });
    for (let d = 1; d <= basicPerCity; d++)
      list.push({
        _id: `${code}${String(d).padStart(2, '0')}`,
        name: `${city}市第${d}基层人民检察院`,
        province: '安徽省',
        onlineReadingEnabled: unit(1, c * 10 + d) < 0.9,
      });
  });
  return list;
}

/**
 * The first `n(i)` entities of a kind that an entity of another kind with index `i` may refer
 * to: the share of the referenced kind that exists by then in index order. So references are
 * pure functions of indices, the same at every size, and earlier entities collect more (an old
 * lawyer has more cases than a new one).
 */
const within = (i: number, ratio: number) => Math.max(1, Math.ceil((i + 1) * ratio));
const ratios = {
  lawyersPerBinding: fullYear.lawyers / fullYear.bindingApplications,
  casesPerBinding: fullYear.cases / fullYear.bindingApplications,
  bindingsPerReading: fullYear.bindingApplications / fullYear.readingApplications,
  lawyersPerNotification: fullYear.lawyers / fullYear.notifications,
};

/** How the year's data relate: pure functions of indices, so every size agrees with the others. */
export function model(yearEnd: Date) {
  const procs = procuratorates();
  const start = yearEnd.getTime() - 365 * DAY;
  const at = (stream: number, i: number) => new Date(start + unit(stream, i) * 365 * DAY);
  /** Most cases are at the basic procuratorates. */
  const caseProcuratorate = (j: number) => {
    const u = unit(20, j);
    if (u < 0.02) return procs[0]!;
    const city = hash(21, j) % cities.length;
    const base = 1 + city * (basicPerCity + 1);
    return u < 0.15 ? procs[base]! : procs[base + 1 + (hash(22, j) % basicPerCity)]!;
  };
  const registered = (i: number) => unit(30, i) < registeredShare;
  const bindingAt = (k: number) => at(40, k);
  const bindingStatus = (k: number) => {
    const age = yearEnd.getTime() - bindingAt(k).getTime();
    const u = unit(41, k);
    if (age < 10 * DAY) return u < 0.6 ? 'SUBMITTED' : u < 0.7 ? 'MATERIALS_REQUESTED' : 'APPROVED';
    return u < 0.8 ? 'APPROVED' : u < 0.9 ? 'REJECTED' : u < 0.96 ? 'WITHDRAWN' : 'REVOKED';
  };
  return {
    procs,
    start,
    at,
    caseProcuratorate,
    registered,
    lawyerId: (i: number) => idAt(at(10, i), K.lawyer, i),
    deviceId: (i: number) => idAt(at(10, i), K.device, i),
    sessionDigest: (n: number) => createHash('sha256').update(`session ${n}`).digest('hex'),
    sessionId: (n: number) => idAt(at(14, n), K.session, n),
    caseId: (j: number) => idAt(at(23, j), K.case, j),
    caseNumber: (j: number) => `皖检刑诉〔2025〕${j + 1}号`,
    licenceNumber: (i: number) => `13401${String(i).padStart(12, '0')}`,
    prosecutorId: (p: number, n: number) => idAt(new Date(start), K.prosecutor, p * 10 + n),
    bindingLawyer: (k: number) => hash(42, k) % within(k, ratios.lawyersPerBinding),
    bindingCase: (k: number) => hash(43, k) % within(k, ratios.casesPerBinding),
    bindingId: (k: number) => idAt(bindingAt(k), K.binding, k),
    bindingAt,
    bindingStatus,
    licenceId: (i: number) => idAt(at(10, i), K.licence, i),
    /** A reading application follows an approved binding (the first approved one from a hash). */
    readingBinding: (i: number) => {
      for (let t = 0; ; t++) {
        const k = hash(50 + t, i) % within(i, ratios.bindingsPerReading);
        if (bindingStatus(k) === 'APPROVED' || t > 50) return k;
      }
    },
    phone: (i: number) => `13${String(100_000_000 + i).slice(-9)}`,
    notificationLawyer: (n: number) => hash(95, n) % within(n, ratios.lawyersPerNotification),
  };
}

type Loose = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any subgraph's model
type AnyModel = Model<any>;

interface Connections {
  identity: Connection;
  cases: Connection;
  reading: Connection;
  notifications: Connection;
  events: Connection;
}

/** Seeding progress, for the run's log. */
export interface SeedReport {
  documents: Record<string, number>;
  seconds: number;
}

/**
 * Adds the documents of `to` that `from` (the size seeded before, or null) does not have.
 * `consentVersion` is the identity subgraph's current 授权信息 version (lawyers have accepted it).
 */
export async function seedProvince(o: {
  uri: string;
  db: DatabaseNames;
  idHashKey: string;
  from: Volumes | null;
  to: Volumes;
  yearEnd: Date;
  consentVersion: string;
  log: (line: string) => void;
}): Promise<SeedReport> {
  const started = Date.now();
  const conns: Connections = {
    identity: await connectMongo(o.uri, o.db.identity),
    cases: await connectMongo(o.uri, o.db.cases),
    reading: await connectMongo(o.uri, o.db.reading),
    notifications: await connectMongo(o.uri, o.db.notifications),
    events: await connectMongo(o.uri, o.db.events),
  };
  const documents: Record<string, number> = {};
  try {
    const identity = createIdentityServices(conns.identity, {
      idHashKey: o.idHashKey,
      ttlSeconds: 12 * 3600,
      verifiedWindowSeconds: 1800,
    } as Parameters<typeof createIdentityServices>[1]).models;
    const cases = createCasesServices(conns.cases).models;
    const reading = readingModels(conns.reading);
    const notifications = notificationsModels(conns.notifications);
    const m = model(o.yearEnd);
    const range = (key: keyof Volumes) => [o.from ? o.from[key] : 0, o.to[key]] as const;
    const checked = new Set<string>();
    const put = async (name: string, target: AnyModel, docs: Loose[]) => {
      if (docs.length === 0) return;
      documents[name] = (documents[name] ?? 0) + docs.length;
      if (!checked.has(name)) {
        // The first document of each kind goes through the model's validation; the rest are
        // inserted lean (mongoose's per-document casting would dominate the seeding time).
        const err = await new target(docs[0]!).validate().then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err) throw new Error(`seeded ${name} does not fit its model: ${String(err)}`);
        checked.add(name);
      }
      for (let i = 0; i < docs.length; i += BATCH)
        await target.insertMany(docs.slice(i, i + BATCH), { lean: true, ordered: false });
    };
    const emit = async (
      name: string,
      target: AnyModel,
      from: number,
      to: number,
      make: (i: number) => Loose[],
    ) => {
      let pending: Loose[] = [];
      for (let i = from; i < to; i++) {
        pending.push(...make(i));
        if (pending.length >= 10 * BATCH) {
          await put(name, target, pending);
          pending = [];
        }
      }
      await put(name, target, pending);
    };

    if (!o.from) {
      await put(
        'procuratorates',
        cases.Procuratorate,
        m.procs.map((p) => ({
          ...p,
          createdAt: new Date(m.start),
          updatedAt: new Date(m.start),
        })),
      );
      await put(
        'prosecutors',
        identity.Prosecutor,
        m.procs.flatMap((p, pi) =>
          Array.from({ length: prosecutorsPerProcuratorate }, (_, n) => ({
            _id: m.prosecutorId(pi, n),
            name: personName(60, pi * 10 + n),
            username: `ah.${pi}.${n}`,
            procuratorateId: p._id,
            phone: `139${String(10_000_000 + pi * 10 + n).slice(-8)}`,
            createdAt: new Date(m.start),
            updatedAt: new Date(m.start),
          })),
        ),
      );
      await fillEvents(conns.events, m, o.log, documents);
    }

    o.log(`lawyers, devices, sessions…`);
    const [l0, l1] = range('lawyers');
    const firms = (i: number) => `安徽${personName(70, hash(71, i) % 2000)}律师事务所`;
    await emit('lawyers', identity.Lawyer, l0, l1, (i) => {
      const at = m.at(10, i);
      const idNumber = `340104${1960 + (i % 40)}0101${String(i % 1000).padStart(3, '0')}X`;
      const reg = m.registered(i);
      return [
        {
          _id: m.lawyerId(i),
          name: personName(11, i),
          licenceNumber: m.licenceNumber(i),
          idNumberHash: hashIdNumber(o.idHashKey, idNumber),
          idNumberMasked: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`,
          lawFirm: firms(i),
          ...(reg && {
            phone: m.phone(i),
            registeredAt: at,
            consent: { version: o.consentVersion, acceptedAt: at },
          }),
          createdAt: at,
          updatedAt: at,
        },
      ];
    });
    const registeredIn = (i: number) => m.registered(i);
    await emit('devices', identity.Device, l0, l1, (i) =>
      registeredIn(i)
        ? [
            {
              _id: m.deviceId(i),
              lawyerId: m.lawyerId(i),
              name: pick(['iPhone 15', 'HUAWEI Mate 60', 'Xiaomi 14', 'OPPO Find X7'], 12, i),
              publicKeyJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }),
              phone: m.phone(i),
              activationId: idAt(m.at(10, i), K.device, i + 1_000_000),
              activatedAt: m.at(10, i),
              lastUsedAt: new Date(o.yearEnd.getTime() - unit(13, i) * 30 * DAY),
            },
          ]
        : [],
    );
    const phoneBindings = conns.identity.db!.collection('phone_bindings');
    for (let i = l0; i < l1; i += 10 * BATCH) {
      const docs = [];
      for (let j = i; j < Math.min(l1, i + 10 * BATCH); j++)
        if (registeredIn(j))
          docs.push({ _id: m.phone(j), lawyerId: m.lawyerId(j), at: m.at(10, j) });
      if (docs.length) await phoneBindings.insertMany(docs as never[], { ordered: false });
      documents.phone_bindings = (documents.phone_bindings ?? 0) + docs.length;
    }
    await emit('sessions', identity.Session, l0, l1, (i) =>
      registeredIn(i)
        ? Array.from({ length: sessionsPerRegisteredLawyer }, (_, s) => {
            const n = i * sessionsPerRegisteredLawyer + s;
            const began = m.at(14, n);
            return {
              _id: m.sessionDigest(n),
              sessionId: m.sessionId(n),
              role: 'LAWYER',
              subjectId: m.lawyerId(i),
              method: 'SCAN',
              deviceId: m.deviceId(i),
              verifiedUntil: new Date(began.getTime() + 1800_000),
              startedAt: began,
              expiresAt: new Date(began.getTime() + 12 * 3600_000),
              createdAt: began,
            };
          })
        : [],
    );

    // FerretDB reads a session by its id through session_refs (identity session.service.ts).
    const refs = conns.identity.db!.collection('session_refs');
    for (let i = l0; i < l1; i += BATCH) {
      const docs = [];
      for (let j = i; j < Math.min(l1, i + BATCH); j++)
        if (registeredIn(j))
          for (let t = 0; t < sessionsPerRegisteredLawyer; t++) {
            const n = j * sessionsPerRegisteredLawyer + t;
            docs.push({ _id: m.sessionId(n), digest: m.sessionDigest(n) });
          }
      if (docs.length) await refs.insertMany(docs as never[], { ordered: false });
      documents.session_refs = (documents.session_refs ?? 0) + docs.length;
    }

    o.log(`cases…`);
    const [c0, c1] = range('cases');
    await emit('cases', cases.Case, c0, c1, (j) => {
      const at = m.at(23, j);
      const suspect = personName(24, j);
      return [
        {
          _id: m.caseId(j),
          procuratorateId: m.caseProcuratorate(j)._id,
          departmentCaseNumber: m.caseNumber(j),
          caseName: `${suspect}涉嫌${pick(crimes, 25, j)}案`,
          suspects: [suspect],
          stage: pick(['ARREST_REVIEW', 'PROSECUTION_REVIEW', 'TRIAL', 'CLOSED'], 26, j),
          createdAt: at,
          updatedAt: at,
        },
      ];
    });

    o.log(`binding applications and their materials…`);
    await emit('attachments', cases.Attachment, l0, l1, (i) => [
      attachment(m.licenceId(i), m.lawyerId(i), 'LICENCE', '律师执业证.pdf', m.at(10, i), i),
    ]);
    const [b0, b1] = range('bindingApplications');
    await emit('binding_applications', cases.BindingApplication, b0, b1, (k) => [bindingDoc(m, k)]);
    await emit('attachments', cases.Attachment, b0, b1, (k) => {
      const lawyerId = m.lawyerId(m.bindingLawyer(k));
      const at = m.bindingAt(k);
      return [
        attachment(
          idAt(at, K.attachment, 2 * k),
          lawyerId,
          'POWER_OF_ATTORNEY',
          '授权委托书.pdf',
          at,
          k,
        ),
        attachment(
          idAt(at, K.attachment, 2 * k + 1),
          lawyerId,
          'LAW_FIRM_LETTER',
          '律师事务所函.pdf',
          at,
          k,
        ),
      ];
    });

    o.log(`reading applications and appointments…`);
    const [r0, r1] = range('readingApplications');
    const readings = (r: number) => readingDoc(m, o.yearEnd, r);
    await emit('reading_applications', reading.ReadingApplication, r0, r1, (r) => [
      readings(r).application,
    ]);
    await emit('appointments', reading.Appointment, r0, r1, (r) => {
      const a = readings(r).appointment;
      return a ? [a] : [];
    });

    o.log(`notifications…`);
    const [n0, n1] = range('notifications');
    await emit('notifications', notifications.Notification, n0, n1, (n) => [
      notificationDoc(m, o.yearEnd, n),
    ]);

    o.log(`owner indexes (FerretDB's id sets)…`);
    await writeOwnerSets(conns, m, o.to, o.yearEnd, documents);
    return { documents, seconds: (Date.now() - started) / 1000 };
  } finally {
    await Promise.all(Object.values(conns).map((c) => c.close()));
  }
}

function attachment(
  id: string,
  lawyerId: string,
  kind: string,
  fileName: string,
  at: Date,
  i: number,
): Loose {
  return {
    _id: id,
    lawyerId,
    kind,
    fileName,
    contentType: 'application/pdf',
    sizeBytes: 80_000 + (hash(80, i) % 400_000),
    sha256: createHash('sha256').update(id).digest('hex'),
    blobId: `attachments/${id}`,
    createdAt: at,
    updatedAt: at,
  };
}

type Shape = ReturnType<typeof model>;

function bindingDoc(m: Shape, k: number): Loose {
  const at = m.bindingAt(k);
  const status = m.bindingStatus(k);
  const j = m.bindingCase(k);
  const suspect = personName(24, j);
  const lawyerId = m.lawyerId(m.bindingLawyer(k));
  const decided = !['SUBMITTED', 'MATERIALS_REQUESTED'].includes(status);
  const decidedAt = new Date(at.getTime() + (1 + (hash(44, k) % 3)) * DAY);
  const relation = pick(['SELF', 'SELF', 'RELATIVE', 'LEGAL_AID'], 45, k);
  return {
    _id: m.bindingId(k),
    lawyerId,
    caseId: m.caseId(j),
    procuratorateId: m.caseProcuratorate(j)._id,
    status,
    lawyerRole: unit(46, k) < 0.85 ? 'DEFENCE_COUNSEL' : 'AGENT',
    suspectName: suspect,
    clientName: relation === 'RELATIVE' ? personName(47, k) : suspect,
    clientRelation: relation,
    attachmentIds: [
      m.licenceId(m.bindingLawyer(k)),
      idAt(at, K.attachment, 2 * k),
      idAt(at, K.attachment, 2 * k + 1),
    ],
    submittedAt: at,
    ...(decided && { decidedAt }),
    ...(status === 'REJECTED' && { decisionReason: '委托材料与案件当事人不一致。' }),
    ...(status === 'MATERIALS_REQUESTED' && {
      materialsRequestNote: '请补充律师事务所函原件扫描件。',
    }),
    version: decided || status === 'MATERIALS_REQUESTED' ? 1 : 0,
    createdAt: at,
    updatedAt: decided ? decidedAt : at,
  };
}

function readingDoc(m: Shape, yearEnd: Date, r: number) {
  const k = m.readingBinding(r);
  const j = m.bindingCase(k);
  const proc = m.caseProcuratorate(j);
  const after = m.bindingAt(k).getTime() + 3 * DAY;
  const at = new Date(after + unit(51, r) * Math.max(0, yearEnd.getTime() - after));
  const age = yearEnd.getTime() - at.getTime();
  const u = unit(52, r);
  const status =
    age < 5 * DAY && u < 0.7
      ? 'SUBMITTED'
      : u < 0.15
        ? 'REJECTED'
        : age < 30 * DAY
          ? pick(['APPROVED', 'FILE_READY', 'DOWNLOADED'], 53, r)
          : 'DOWNLOADED';
  const id = idAt(at, K.reading, r);
  const caseName = `${personName(24, j)}涉嫌${pick(crimes, 25, j)}案`;
  const lawyerId = m.lawyerId(m.bindingLawyer(k));
  const appointmentId =
    status === 'SUBMITTED' || status === 'REJECTED' ? undefined : idAt(at, K.appointment, r);
  const decidedAt = new Date(at.getTime() + DAY);
  return {
    application: {
      _id: id,
      lawyerId,
      caseId: m.caseId(j),
      procuratorateId: proc._id,
      caseName,
      status,
      noticeAcceptance: { version: '2025-01', acceptedAt: at },
      undertakingAcceptance: { version: '2025-01', acceptedAt: at },
      submittedAt: at,
      ...(status !== 'SUBMITTED' && { decidedAt }),
      ...(status === 'REJECTED' && { decisionReason: '该案件卷宗尚未移送。' }),
      ...(appointmentId && { appointmentId }),
      createdAt: at,
      updatedAt: at,
    } as Loose,
    appointment: appointmentId
      ? ({
          _id: appointmentId,
          type: 'ONLINE_READING',
          lawyerId,
          caseId: m.caseId(j),
          procuratorateId: proc._id,
          caseName,
          sourceId: id,
          status:
            age > 30 * DAY ? 'CLOSED' : status === 'APPROVED' ? 'WAITING_FOR_FILE' : 'FILE_READY',
          ...(age > 30 * DAY && { closedReason: '阅卷期限届满。' }),
          createdAt: decidedAt,
          updatedAt: decidedAt,
        } as Loose)
      : undefined,
  };
}

const lawyerMessages = [
  ['BINDING_APPROVED', '案件绑定申请已通过', '您提交的案件绑定申请已审核通过。'],
  ['BINDING_REJECTED', '案件绑定申请未通过', '您提交的案件绑定申请未通过审核。'],
  ['READING_APPROVED', '在线阅卷申请已通过', '您的在线阅卷申请已通过，卷宗制作完成后将通知您。'],
  ['PACKAGE_READY', '电子卷宗已制作完成', '您申请的电子卷宗已制作完成，请登录下载。'],
  ['PACKAGE_EXPIRING', '电子卷宗即将过期', '您的电子卷宗将于明日过期，请及时下载。'],
] as const;

function notificationDoc(m: Shape, yearEnd: Date, n: number): Loose {
  const at = m.at(90, n);
  const toProsecutor = unit(91, n) < 0.1;
  const [kind, title, body] = toProsecutor
    ? (['NEW_APPLICATION', '新的案件绑定申请', '有律师提交了案件绑定申请，请及时审核。'] as const)
    : pick(lawyerMessages, 92, n);
  const recipientId = toProsecutor
    ? m.prosecutorId(hash(93, n) % m.procs.length, hash(94, n) % prosecutorsPerProcuratorate)
    : m.lawyerId(m.notificationLawyer(n));
  const age = yearEnd.getTime() - at.getTime();
  const unread = age < 14 * DAY ? unit(96, n) < 0.5 : unit(96, n) < 0.03;
  return {
    _id: idAt(at, K.notification, n),
    recipientId,
    recipientRole: toProsecutor ? 'PROSECUTOR' : 'LAWYER',
    kind,
    title,
    body,
    subjectId: idAt(at, K.binding, n),
    readAt: unread ? null : new Date(at.getTime() + DAY),
    createdAt: at,
  };
}

/**
 * The capped events collection at its capped size: a year's domain events are far more than
 * 64 MiB, so the bus always runs on a full collection. Created as the bus creates it; the events
 * are older than any listener, so nobody hears them.
 */
async function fillEvents(
  events: Connection,
  m: Shape,
  log: (line: string) => void,
  documents: Record<string, number>,
): Promise<void> {
  const db = events.db!;
  await db
    .createCollection('events', { capped: true, size: EVENTS_CAPPED_BYTES })
    .catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
  log('events (the capped collection, to its size)…');
  const collection = db.collection('events');
  let bytes = 0;
  let n = 0;
  const spread = 300 * DAY;
  while (bytes < EVENTS_CAPPED_BYTES * 0.98) {
    const batch = [];
    for (let i = 0; i < BATCH; i++, n++) {
      const at = new Date(m.start + (n / 200_000) * spread);
      const doc = {
        _id: seqId(n + 1), // FerretDB numbers its events (runtime bus/sequence.ts)
        topic: 'cases.bindingApplication.changed',
        at,
        payload: {
          applicationId: m.bindingId(n),
          lawyerId: m.lawyerId(n % 1000),
          procuratorateId: m.procs[n % m.procs.length]!._id,
          caseId: m.caseId(n),
          status: 'APPROVED',
          caseName: '张某涉嫌诈骗案',
        },
        traceparent: `00-${createHash('md5').update(String(n)).digest('hex')}-${n.toString(16).padStart(16, '0')}-01`,
      };
      bytes += BSON.calculateObjectSize(doc);
      batch.push(doc);
    }
    await collection.insertMany(batch as never[], { ordered: true });
  }
  documents.events = n;
  // The head names the newest event: publishers number on from it, listeners start after it.
  await db
    .collection('event_heads')
    .replaceOne(
      { _id: 'events' as never },
      { id: seqId(n), at: new Date(m.start + spread) },
      { upsert: true },
    );
}

/**
 * The owners' id sets and the key documents (runtime ownedIndex and keyIndex, what FerretDB reads
 * lists and natural keys by), rewritten whole for the size seeded: every document of each owner
 * and key, computed from the same indices as the documents.
 */
async function writeOwnerSets(
  conns: Connections,
  m: Shape,
  v: Volumes,
  yearEnd: Date,
  documents: Record<string, number>,
) {
  const sets = () => new Map<string, string[]>();
  const put = (into: Map<string, string[]>, owner: string, id: string) => {
    const ids = into.get(owner);
    if (ids) ids.push(id);
    else into.set(owner, [id]);
  };
  const write = async (conn: Connection, name: string, groups: Map<string, string[]>) => {
    await replaceIdSets(conn.db!.collection(name) as never, groups);
    documents[name] = groups.size;
  };

  const devices = sets();
  const sessions = sets();
  for (let i = 0; i < v.lawyers; i++) {
    if (!m.registered(i)) continue;
    put(devices, m.lawyerId(i), m.deviceId(i));
    for (let t = 0; t < sessionsPerRegisteredLawyer; t++)
      put(sessions, m.lawyerId(i), m.sessionDigest(i * sessionsPerRegisteredLawyer + t));
  }
  await write(conns.identity, 'lawyer_devices', devices);
  await write(conns.identity, 'subject_sessions', sessions);
  const keys = async (conn: Connection, name: string, entries: Map<string, string>) => {
    await replaceKeys(conn.db!.collection(name) as never, entries);
    documents[name] = entries.size;
  };
  // Key documents (runtime keyIndex): a lawyer by licence number, a case by 部门受案号.
  const licences = new Map<string, string>();
  for (let i = 0; i < v.lawyers; i++) licences.set(m.licenceNumber(i), m.lawyerId(i));
  await keys(conns.identity, 'lawyer_licences', licences);
  const caseNumbers = new Map<string, string>();
  const casesByProcuratorate = sets();
  for (let j = 0; j < v.cases; j++) {
    const procuratorateId = m.caseProcuratorate(j)._id;
    const departmentCaseNumber = m.caseNumber(j);
    caseNumbers.set(
      keyOf(['procuratorateId', 'departmentCaseNumber'], { procuratorateId, departmentCaseNumber }),
      m.caseId(j),
    );
    put(casesByProcuratorate, procuratorateId, m.caseId(j));
  }
  await keys(conns.cases, 'case_numbers', caseNumbers);
  await write(conns.cases, 'procuratorate_cases', casesByProcuratorate);

  const byLawyer = sets();
  const pending = sets();
  const byProcuratorate = sets();
  for (let k = 0; k < v.bindingApplications; k++) {
    const id = m.bindingId(k);
    const p = m.caseProcuratorate(m.bindingCase(k))._id;
    put(byLawyer, m.lawyerId(m.bindingLawyer(k)), id);
    put(byProcuratorate, p, id);
    if (['SUBMITTED', 'MATERIALS_REQUESTED'].includes(m.bindingStatus(k))) put(pending, p, id);
  }
  await write(conns.cases, 'lawyer_bindings', byLawyer);
  await write(conns.cases, 'procuratorate_pending_bindings', pending);
  await write(conns.cases, 'procuratorate_bindings', byProcuratorate);

  const readings = sets();
  const open = sets();
  const readingsByProcuratorate = sets();
  const appointments = sets();
  for (let r = 0; r < v.readingApplications; r++) {
    const { application: a, appointment } = readingDoc(m, yearEnd, r);
    const [id, p] = [String(a._id), String(a.procuratorateId)];
    put(readings, String(a.lawyerId), id);
    put(readingsByProcuratorate, p, id);
    if (['SUBMITTED', 'APPROVED'].includes(String(a.status))) put(open, p, id);
    if (appointment) put(appointments, String(a.lawyerId), String(appointment._id));
  }
  await write(conns.reading, 'lawyer_readings', readings);
  await write(conns.reading, 'lawyer_appointments', appointments);
  await write(conns.reading, 'procuratorate_bookings', sets()); // only online reading is seeded
  await write(conns.reading, 'procuratorate_open_readings', open);
  await write(conns.reading, 'procuratorate_readings', readingsByProcuratorate);

  const notes = sets();
  const unread = sets();
  for (let n = 0; n < v.notifications; n++) {
    const d = notificationDoc(m, yearEnd, n);
    put(notes, String(d.recipientId), String(d._id));
    if (d.readAt === null) put(unread, String(d.recipientId), String(d._id));
  }
  await write(conns.notifications, 'recipient_notifications', notes);
  await write(conns.notifications, 'recipient_unread', unread);
}
