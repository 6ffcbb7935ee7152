// Named fixtures of the reading tests: procuratorates, cases and bindings arranged in the real
// cases subgraph, small generated PDFs, and the steps of flows 4 to 6.
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { indexOwned, newId, type Identity } from '@yuejuan/runtime';
import { lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { readingTerms } from '../src/services/terms.ts';
import type { Harness } from './harness.ts';

export const shanghai = {
  id: 'SH-310000',
  name: '上海市人民检察院',
  province: '上海市',
  onlineReadingEnabled: true,
};
export const guangdong = {
  id: 'GD-440000',
  name: '广东省人民检察院',
  province: '广东省',
  onlineReadingEnabled: false,
};
export const wangSh = prosecutorIdentity('prosecutor-wang', shanghai.id);
export const zhaoGd = prosecutorIdentity('prosecutor-zhao', guangdong.id);
export const accepted = {
  noticeVersion: readingTerms.notice.version,
  undertakingVersion: readingTerms.undertaking.version,
};

let seq = 0;
/** A lawyer of their own per test. */
export const freshLawyer = (verified = true): Identity & { lawyerId: string; sessionId: string } =>
  lawyerIdentity(`lawyer-rd-${++seq}`, verified) as never;
export const withStepUp = (
  lawyer: Identity,
  purpose: string,
  id = `challenge-${purpose}-${++seq}`,
): Identity =>
  ({ ...lawyer, stepUps: [{ id, purpose, confirmedAt: new Date().toISOString() }] }) as Identity;

export async function seedProcuratorates(h: Harness) {
  for (const p of [shanghai, guangdong]) await h.cases.cases.importProcuratorate(p);
}

/** A case at a procuratorate, optionally excluded; returns its id. */
export async function seedCase(
  h: Harness,
  procuratorateId: string,
  name: string,
  exclusion?: { category: string; reason: string },
): Promise<string> {
  const departmentCaseNumber = `沪检刑诉〔2025〕${++seq}号`;
  await h.cases.cases.importCase(procuratorateId, {
    departmentCaseNumber,
    caseName: name,
    suspects: ['李某'],
    stage: 'PROSECUTION_REVIEW',
    readingExclusion: exclusion ?? null,
  });
  return (await h.cases.models.Case.findOne({ procuratorateId, departmentCaseNumber })
    .lean()
    .exec())!._id;
}

/** An approved binding of the case for the lawyer (the cases subgraph's own record). */
export async function bind(h: Harness, lawyerId: string, caseId: string, status = 'APPROVED') {
  const c = (await h.cases.models.Case.findById(caseId).lean().exec())!;
  const doc = {
    _id: newId(),
    lawyerId,
    caseId,
    procuratorateId: c.procuratorateId,
    status,
    lawyerRole: 'DEFENCE_COUNSEL',
    suspectName: '李某',
    clientName: '李某',
    clientRelation: 'SELF',
  };
  // As the cases workflow writes it: into the owners' indexes first (FerretDB's id sets).
  await indexOwned(h.cases.models.BindingApplication, [doc]);
  await h.cases.models.BindingApplication.create(doc as never);
}

/** A small PDF of `pages` pages with "Volume n page k" on each. */
export async function makePdf(label: string, pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++)
    doc.addPage([595, 842]).drawText(`${label} page ${i}`, { x: 50, y: 780, size: 18, font });
  return Buffer.from(await doc.save());
}

export async function uploadVolume(
  h: Harness,
  identity: Identity,
  caseId: string,
  title: string,
  body: Buffer,
  contentType = 'application/pdf',
) {
  const res = await h.route(
    identity,
    `/uploads/volumes?caseId=${caseId}&title=${encodeURIComponent(title)}`,
    { method: 'POST', headers: { 'content-type': contentType }, body },
  );
  return {
    status: res.status,
    body: (await res.json()) as {
      id: string;
      code?: string;
      pageCount?: number;
      position?: number;
    },
  };
}

const submit = /* GraphQL */ `
  mutation S($input: ReadingApplicationInput!) {
    submitReadingApplication(input: $input) {
      id
      status
    }
  }
`;
const approve = /* GraphQL */ `
  mutation A($id: ID!) {
    approveReadingApplication(id: $id) {
      id
      status
      appointment {
        id
        type
        status
      }
    }
  }
`;
const publish = /* GraphQL */ `
  mutation P($id: ID!) {
    publishPackage(appointmentId: $id) {
      id
      status
      progress
    }
  }
`;
const pkgQuery = /* GraphQL */ `
  query Q($id: ID!) {
    appointment(id: $id) {
      id
      status
      package {
        id
        status
        progress
        fileName
        sizeBytes
        sha256
        expiresAt
        volumes {
          title
          position
          pageCount
        }
      }
    }
  }
`;

/** Flow 4 up to an approved application: bound case at Shanghai, applied, approved; returns ids. */
export async function approvedAppointment(
  h: Harness,
  lawyer: Identity & { lawyerId: string },
  caseName = '李某盗窃案',
) {
  const caseId = await seedCase(h, shanghai.id, caseName);
  await bind(h, lawyer.lawyerId, caseId);
  const applied = await h.call(lawyer, submit, { input: { caseId, ...accepted } });
  if (applied.errors) throw new Error(JSON.stringify(applied.errors));
  const approved = await h.call(wangSh, approve, { id: applied.data.submitReadingApplication.id });
  if (approved.errors) throw new Error(JSON.stringify(approved.errors));
  return {
    caseId,
    applicationId: applied.data.submitReadingApplication.id as string,
    appointmentId: approved.data.approveReadingApplication.appointment.id as string,
  };
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until<T>(
  check: () => Promise<T | null | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Uploads volumes, publishes, waits for READY; returns the package as the lawyer's query shows it. */
export async function readyPackage(
  h: Harness,
  lawyer: Identity & { lawyerId: string },
  volumes: [string, number][] = [
    ['第1卷 诉讼文书', 2],
    ['第2卷 证据材料', 3],
  ],
  caseName?: string,
  /** Uploads volumes of its own after those of `volumes` (before the package is published). */
  more?: (caseId: string) => Promise<void>,
) {
  const ids = await approvedAppointment(h, lawyer, caseName);
  for (const [title, pages] of volumes) {
    const r = await uploadVolume(
      h,
      wangSh,
      ids.caseId,
      title,
      await makePdf(title.replace(/[^\x20-\x7e]/g, 'V'), pages),
    );
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
  await more?.(ids.caseId);
  const published = await h.call(wangSh, publish, { id: ids.appointmentId });
  if (published.errors) throw new Error(JSON.stringify(published.errors));
  const pkg = await until(async () => {
    const q = await h.call(lawyer, pkgQuery, { id: ids.appointmentId });
    const p = q.data?.appointment?.package;
    if (p?.status === 'FAILED') throw new Error('build failed');
    return p?.status === 'READY' ? p : null;
  });
  const sms = () =>
    h.sms.filter((m) => m.to.recipientId === lawyer.lawyerId && m.dedupeKey.startsWith(pkg.id));
  await until(async () => sms().length >= 2);
  const password = sms()
    .filter((m) => m.kind === 'PACKAGE_READY')
    .at(-1)!.variables.password!;
  const documentPassword = sms()
    .filter((m) => m.kind === 'DOCUMENT_PASSWORD')
    .at(-1)!.variables.password!;
  return { ...ids, pkg, password, documentPassword };
}
