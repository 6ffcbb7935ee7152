// Backup and restore as an operator runs them (the npm script, a child process): a running
// deployment is backed up mid-journey (a lawyer has bound a case, a reading application is
// approved and its package with volumes is built, a second binding waits for review) while a
// prosecutor keeps uploading volumes; the backup is restored into a fresh database server and
// a fresh blob folder, the services start on it, and the journey goes on there: the prosecutor
// approves, the lawyer is told once, downloads the package, and the bytes are the ones built
// before the backup. Then: a restore into that (no longer empty) deployment is refused, and a
// tampered backup is refused naming the file, without writing anything.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, startDatabase, type DatabaseHandle } from '@yuejuan/database';
import { testMongoUri, uniqueDatabaseName } from '@yuejuan/runtime/testing';
import { openCases, openIdentity } from '../src/connect.ts';
import { databaseRoles, type DatabaseRole } from '../src/backup/manifest.ts';
import {
  deploymentEnv,
  deploymentSecrets,
  startDeployment,
  type Deployment,
  type DeploymentSettings,
} from './backup-stack.ts';
import {
  activate,
  cases,
  gql,
  inbox,
  lawyerLogin,
  nextSms,
  ops,
  prosecutorLogin,
  shanghai,
  stepUp,
  tinyPdf,
  until,
  upload,
  wang,
  zhangSan,
  type Verifier,
} from './backup-journey.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** `npm run --silent ops -- …args` in `cwd` with exactly `env` (plus PATH and HOME). */
function cli(
  args: string[],
  env: Record<string, string>,
  cwd = packageDir,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'ops', '--', ...args], {
      cwd,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const names = (label: string) =>
  Object.fromEntries(
    databaseRoles.map((role) => [role, uniqueDatabaseName(`${label}_${role}`)]),
  ) as Record<DatabaseRole, string>;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let scratch: string;
let targetDb: DatabaseHandle;
let source: DeploymentSettings;
let target: DeploymentSettings;
let deployment: Deployment | undefined;
let backupDir: string;
const secrets = deploymentSecrets();
const taken = new Set<string>();

// The journey before the backup, and what the restored deployment must show of it.
let verifier: Verifier;
let lawyer: string;
let prosecutor: string;
let caseIds: string[];
let appointmentId: string;
let pendingBindingId: string;
let downloadPassword: string;
let builtPackage: { id: string; sha256: string; sizeBytes: number };
let smsBeforeBackup: { id: string; kind: string }[];

// One journey: once a step fails, the later ones mean nothing.
let broken = false;
beforeEach((ctx) => {
  if (broken) ctx.skip();
});
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') {
    broken = true;
    console.log(`[backup e2e] logs: ${deployment?.logDir ?? scratch}`);
  }
});

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'yuejuan-backup-e2e-'));
  source = {
    mongoUri: testMongoUri(),
    databases: names('bke2e'),
    blobDir: join(scratch, 'source-blobs'),
    secrets,
  };
  // The register and the staff, imported as an operator would (import CLI's services).
  const identity = await openIdentity(source.mongoUri, source.databases.identity, secrets.idHash);
  const casesDb = await openCases(source.mongoUri, source.databases.cases);
  try {
    const { phone: _phone, ...lawyerRow } = zhangSan;
    await identity.services.registry.importLawyer(lawyerRow);
    await identity.services.registry.importProsecutor({
      name: wang.name,
      username: wang.username,
      procuratorateId: wang.procuratorateId,
      phone: wang.phone,
      initialPassword: wang.password,
    });
    await casesDb.services.cases.importProcuratorate(shanghai);
    for (const c of cases) await casesDb.services.cases.importCase(shanghai.id, c);
    caseIds = [];
    for (const c of cases)
      caseIds.push(
        (await casesDb.services.models.Case.findOne({ caseName: c.caseName }).lean().exec())!._id,
      );
  } finally {
    await identity.connection.close();
    await casesDb.connection.close();
  }
  deployment = await startDeployment('source', source, join(scratch, 'logs'));
});

afterAll(async () => {
  await deployment?.stop();
  await targetDb?.stop();
  const client = await MongoClient.connect(testMongoUri());
  for (const name of Object.values(source.databases))
    await client
      .db(name)
      .dropDatabase()
      .catch(() => undefined);
  await client.close();
  if (!broken) await rm(scratch, { recursive: true, force: true });
});

describe('backup of a running deployment mid-journey, restored into a fresh one', () => {
  it('brings the journey to the middle: activated, bound, approved, package built, a binding waiting', async () => {
    const d = deployment!;
    verifier = await activate(d, taken);
    lawyer = await lawyerLogin(d, verifier);
    prosecutor = await prosecutorLogin(d, taken);
    const attachmentIds: string[] = [];
    for (const kind of ['POWER_OF_ATTORNEY', 'LAW_FIRM_LETTER', 'LICENCE'])
      attachmentIds.push(
        await upload(
          d,
          `/uploads/attachments?kind=${kind}&fileName=${encodeURIComponent(`${kind}.pdf`)}`,
          lawyer,
          tinyPdf(kind),
        ),
      );
    const bindingInput = (caseId: string, suspect: string) => ({
      input: {
        caseId,
        lawyerRole: 'DEFENCE_COUNSEL',
        suspectName: suspect,
        clientName: suspect,
        clientRelation: 'SELF',
        attachmentIds,
      },
    });
    const first = (await gql(d, ops.submitBinding, bindingInput(caseIds[0]!, '嫌疑人1'), lawyer))
      .submitBindingApplication.id;
    await gql(d, ops.approveBinding, { id: first }, prosecutor);
    const { notice, undertaking } = (await gql(d, ops.terms)).readingTerms;
    const application = (
      await gql(
        d,
        ops.submitReading,
        {
          input: {
            caseId: caseIds[0],
            noticeVersion: notice.version,
            undertakingVersion: undertaking.version,
          },
        },
        lawyer,
      )
    ).submitReadingApplication.id;
    appointmentId = (await gql(d, ops.approveReading, { id: application }, prosecutor))
      .approveReadingApplication.appointment.id;
    for (const title of ['诉讼文书', '证据材料'])
      await upload(
        d,
        `/uploads/volumes?caseId=${caseIds[0]}&title=${encodeURIComponent(title)}`,
        prosecutor,
        tinyPdf(`Volume ${title.length}`),
      );
    await gql(d, ops.publish, { id: appointmentId }, prosecutor);
    builtPackage = await until(async () => {
      const p = (await gql(d, ops.appointment, { id: appointmentId }, lawyer)).appointment.package;
      return p?.status === 'READY' ? p : null;
    }, 90_000);
    downloadPassword = /卷宗下载密码：([A-Za-z0-9]+)，/.exec(
      await nextSms(d, zhangSan.phone, 'PACKAGE_READY', taken),
    )![1]!;
    pendingBindingId = (
      await gql(d, ops.submitBinding, bindingInput(caseIds[1]!, '嫌疑人2'), lawyer)
    ).submitBindingApplication.id;

    expect(builtPackage.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The first approval's SMS has gone out: the restored deployment must not send it again.
    await nextSms(d, zhangSan.phone, 'BINDING_APPROVED', taken);
  }, 240_000);

  it('backs it up with the npm script while a prosecutor keeps uploading, and the backup verifies', async () => {
    backupDir = join(scratch, 'backup');
    let uploading = true;
    let uploaded = 0;
    const uploads = (async () => {
      while (uploading) {
        await upload(
          deployment!,
          `/uploads/volumes?caseId=${caseIds[1]}&title=${encodeURIComponent(`并发卷${uploaded + 1}`)}`,
          prosecutor,
          tinyPdf(`Concurrent ${uploaded + 1}`),
        );
        uploaded++;
      }
    })();

    const backup = await cli(['backup', backupDir], deploymentEnv(source));
    uploading = false;
    await uploads;
    smsBeforeBackup = (await inbox(deployment!, zhangSan.phone)).map(({ id, kind }) => ({
      id,
      kind,
    }));

    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/备份完成：.*5 个数据库/);
    expect(uploaded).toBeGreaterThan(0);
    // Verified through the root script with a path relative to the repository (INIT_CWD).
    const verify = await cli(['verify', relative(repoRoot(), backupDir)], {}, repoRoot());
    expect([verify.code, verify.stderr]).toEqual([0, '']);
    expect(verify.stdout).toMatch(/^备份完好：.*未签名。\n$/);
    const manifest = JSON.parse(await readFile(join(backupDir, 'manifest.json'), 'utf8'));
    expect(manifest.bus.checkpoints.map((c: { consumer: string }) => c.consumer).sort()).toEqual([
      'notifications',
      'notifications-webhooks',
      'reading-bindings',
    ]);
    expect(manifest.bus.checkpoints.every((c: { inCopy: boolean }) => c.inCopy)).toBe(true);
  }, 120_000);

  it('restores into a fresh database server and blob folder; every restored volume has its file', async () => {
    await deployment!.stop();
    deployment = undefined;
    targetDb = await startDatabase({ dataDir: join(scratch, 'target-db'), env: {} });
    target = { ...source, mongoUri: targetDb.uri, blobDir: join(scratch, 'target-blobs') };

    const restore = await cli(['restore', backupDir], deploymentEnv(target));

    expect([restore.code, restore.stderr]).toEqual([0, '']);
    expect(restore.stdout).toContain('恢复完成');
    const client = await MongoClient.connect(target.mongoUri);
    try {
      const volumes = await client
        .db(target.databases.reading)
        .collection('volumes')
        .find()
        .toArray();
      expect(volumes.length).toBeGreaterThanOrEqual(2);
      for (const v of volumes)
        expect(
          (await stat(join(target.blobDir, 'reading', 'volumes', v.blobId as string))).size,
        ).toBe(v.sizeBytes);
      const [events] = await client
        .db(target.databases.events)
        .listCollections({ name: 'events' })
        .toArray();
      expect(events).toMatchObject({ options: { capped: true } });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('continues the journey there: the prosecutor approves, the lawyer is told once and downloads the same bytes', async () => {
    deployment = await startDeployment('restored', target, join(scratch, 'logs'));
    const d = deployment;

    // The sessions, the device and the decisions came along: the same tokens work.
    const approved = (await gql(d, ops.approveBinding, { id: pendingBindingId }, prosecutor))
      .approveBindingApplication;
    expect(approved.status).toBe('APPROVED');
    await nextSms(d, zhangSan.phone, 'BINDING_APPROVED', taken);

    await gql(d, ops.acknowledge, { id: appointmentId }, lawyer);
    await stepUp(d, lawyer, verifier, 'DOWNLOAD');
    const { url } = (
      await gql(d, ops.unlock, { id: appointmentId, password: downloadPassword }, lawyer)
    ).unlockDownload;
    const res = await fetch(new URL(url, d.url), {
      headers: { authorization: `Bearer ${lawyer}` },
    });
    const zip = Buffer.from(await res.arrayBuffer());

    expect(res.status).toBe(200);
    expect(zip.length).toBe(builtPackage.sizeBytes);
    expect(sha256(zip)).toBe(builtPackage.sha256);
    // Every SMS of before is there once; the consumer re-read events after its checkpoint and
    // sent nothing twice: one package password, two binding approvals (one of them new).
    const after = await inbox(d, zhangSan.phone);
    const ids = after.map((m) => m.id);
    for (const m of smsBeforeBackup) expect(ids).toContain(m.id);
    const count = (kind: string) => after.filter((m) => m.kind === kind).length;
    expect([count('PACKAGE_READY'), count('BINDING_APPROVED')]).toEqual([1, 2]);
  }, 180_000);

  it('refuses to restore into that deployment now that it has data, and leaves it as it was', async () => {
    const restore = await cli(['restore', backupDir], deploymentEnv(target));

    expect(restore.code).toBe(3);
    expect(restore.stderr).toContain('目标部署不是空的，拒绝恢复');
    expect(restore.stderr).toContain(target.databases.identity);
    expect(restore.stdout).not.toContain('恢复完成');
    // Still answering on its data.
    expect(
      (await gql(deployment!, ops.appointment, { id: appointmentId }, lawyer)).appointment.id,
    ).toBe(appointmentId);
  }, 60_000);

  it('refuses a backup with a tampered volume, naming the file, and writes nothing', async () => {
    const manifest = JSON.parse(await readFile(join(backupDir, 'manifest.json'), 'utf8'));
    const volume = manifest.blobs.items.find((b: { bucket: string }) => b.bucket === 'volumes');
    const file = join(backupDir, volume.file);
    const bytes = await readFile(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x20;
    await writeFile(file, bytes);
    const empty: DeploymentSettings = {
      ...target,
      databases: names('bke2e_empty'),
      blobDir: join(scratch, 'empty-blobs'),
    };

    const [verify, restore] = [
      await cli(['verify', backupDir], {}),
      await cli(['restore', backupDir], deploymentEnv(empty)),
    ];

    const problem = `备份文件 ${volume.file} 的 SHA-256 与清单不符（被改动）。`;
    expect([verify.code, verify.stderr.split('\n')[0]]).toEqual([2, problem]);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain(problem);
    const client = await MongoClient.connect(target.mongoUri);
    try {
      for (const role of databaseRoles)
        expect(await client.db(empty.databases[role]).listCollections().toArray()).toEqual([]);
    } finally {
      await client.close();
    }
    await expect(stat(empty.blobDir)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
