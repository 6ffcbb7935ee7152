// The package benchmark (issue 5): build a package from --total-mb of volumes, then serve
// --concurrency simultaneous downloads of its zip through the reading subgraph's real HTTP
// download route, against reading the same bytes straight from storage (the limit). Reports
// build MB/s, download MB/s, and the peak resident memory of the reading process and of its
// qpdf and watermark children (sampled from /proc). Writes infra/bench/results/package-download-*.json.
//
//   flock /tmp/yuejuan-bench.lock npx tsx infra/bench/src/reading/package.ts [--total-mb=1024]
//     [--volumes=5] [--concurrency=20] [--rounds=3] [--store=fs|gridfs] [--launch=bundle|tsx]
//     [--node-flags=--max-semi-space-size=4,...] [--client=curl|node|both] [--final]
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MongoClient } from 'mongodb';
import { internalTokenHeader, mintInternalToken, type Identity } from '@yuejuan/runtime';
import { callSubgraph, lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { createBlobStore } from '@yuejuan/runtime/storage';
import { subgraphNodeFlags } from '@yuejuan/ops/bundle-service';
import { repoRoot } from '@yuejuan/database';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { freePort, removeOnExit, startProcess } from '../lib/processes.ts';
import { writeResult } from '../lib/results.ts';
import { readingTerms } from '../../../../subgraphs/reading/src/services/terms.ts';
import { writeBigPdf } from './big-pdf.ts';
import { Sampler } from './sampler.ts';
import { startStack } from './stack.ts';
import {
  curlGet,
  drain,
  hasCurl,
  measureWay,
  nodeGet,
  startSendfileServer,
  type WayRun,
} from './download-ways.ts';

const args = parseArgs();
const totalMb = args.number('total-mb', 1024);
const volumeCount = Math.max(
  1,
  Math.round(args.number('volumes', Math.max(1, Math.round(totalMb / 200)))),
);
const concurrency = Math.max(1, Math.round(args.number('concurrency', 20)));
const rounds = Math.max(1, Math.round(args.number('rounds', 3)));
const store = args.string('store', 'fs', ['fs', 'gridfs'] as const);
const launch = args.string('launch', 'bundle', ['bundle', 'tsx'] as const);
// The reading process as the launcher runs it: the plain-JS bundle with the subgraphs' node
// flags (a 4 MB young generation: dead stream buffers are freed after ~4 MB of allocation
// instead of up to 16 MB; measured ~20 MB less at rest and under 20 downloads).
const nodeFlags = args.list('node-flags', subgraphNodeFlags);
const client = args.string('client', 'curl', ['curl', 'node', 'both'] as const);
const final = args.flag('final');
args.done();

const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);
const scratch = mkdtempSync(join(tmpdir(), 'yuejuan-bench-package-'));
removeOnExit(scratch);
const logDir = join(
  root,
  'infra',
  'bench',
  'results',
  'logs',
  `package-${startedAt.replace(/[:.]/g, '-')}`,
);
const say = (line: string) => console.log(`[bench:package] ${line}`);
const mb = (bytes: number) => bytes / 1024 / 1024;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

if (client !== 'node' && !(await hasCurl()))
  throw new Error('curl is not installed: install it, or pass --client=node');
say(
  `${volumeCount} volumes, ${totalMb} MB in all; ${concurrency} concurrent downloads, ${rounds} rounds; ${store} store`,
);
const volumes: { path: string; sizeBytes: number; pages: number }[] = [];
for (let i = 0; i < volumeCount; i++) {
  const path = join(scratch, `volume-${i + 1}.pdf`);
  volumes.push({
    path,
    ...(await writeBigPdf(path, {
      bytes: (totalMb * 1024 * 1024) / volumeCount,
      label: `Volume ${i + 1}`,
    })),
  });
}
const volumeBytes = volumes.reduce((s, v) => s + v.sizeBytes, 0);

say(`volumes written; starting the database, cases and the reading process…`);
const stack = await startStack({ root, logDir, scratch, store, launch, nodeFlags });
say(`stack up`);
const lawyer = lawyerIdentity('bench-lawyer', true) as Extract<Identity, { role: 'LAWYER' }>;
const prosecutor = prosecutorIdentity('bench-prosecutor', 'SH-310000');
const call = async (identity: Identity, query: string, variables: Record<string, unknown> = {}) => {
  const res = await callSubgraph(
    `${stack.readingUrl}/graphql`,
    { query, variables },
    { secret: stack.secret, audience: 'reading', identity },
  );
  const body = res.body as { data?: any; errors?: unknown[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};
/** A request to a reading route, signed for `identity` as the gateway signs it. */
const request = async (
  identity: Identity,
  method: string,
  path: string,
  body?: Readable,
  headers: Record<string, string> = {},
) => {
  const token = await mintInternalToken(stack.secret, 'reading', identity);
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(
      `${stack.readingUrl}${path}`,
      { method, headers: { ...headers, [internalTokenHeader]: token } },
      resolve,
    );
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
};
const timed = async <T>(f: () => Promise<T>) => {
  const t = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t) / 1000 };
};

try {
  // Flows 3 and 4 in short: a pilot procuratorate, a case bound to the lawyer, an approved application.
  await stack.cases.cases.importProcuratorate({
    id: 'SH-310000',
    name: '上海市人民检察院',
    province: '上海市',
    onlineReadingEnabled: true,
  });
  await stack.cases.cases.importCase('SH-310000', {
    departmentCaseNumber: '沪检刑诉〔2025〕1号',
    caseName: '基准测试案',
    suspects: ['李某'],
    stage: 'PROSECUTION_REVIEW',
    readingExclusion: null,
  });
  const caseId = (await stack.cases.models.Case.findOne({
    departmentCaseNumber: '沪检刑诉〔2025〕1号',
  })
    .lean()
    .exec())!._id;
  await stack.cases.models.BindingApplication.create({
    lawyerId: lawyer.lawyerId,
    caseId,
    procuratorateId: 'SH-310000',
    status: 'APPROVED',
    lawyerRole: 'DEFENCE_COUNSEL',
    suspectName: '李某',
    clientName: '李某',
    clientRelation: 'SELF',
  } as never);
  const applied = await call(
    lawyer,
    /* GraphQL */ `
      mutation S($input: ReadingApplicationInput!) {
        submitReadingApplication(input: $input) {
          id
        }
      }
    `,
    {
      input: {
        caseId,
        noticeVersion: readingTerms.notice.version,
        undertakingVersion: readingTerms.undertaking.version,
      },
    },
  );
  const approved = await call(
    prosecutor,
    /* GraphQL */ `
      mutation A($id: ID!) {
        approveReadingApplication(id: $id) {
          appointment {
            id
          }
        }
      }
    `,
    { id: applied.submitReadingApplication.id },
  );
  const appointmentId = approved.approveReadingApplication.appointment.id as string;

  // Upload: each volume streamed from disk into the reading route.
  const sampler = new Sampler(stack.reading.pid);
  sampler.phase('upload');
  const upload = await timed(async () => {
    for (const [i, v] of volumes.entries()) {
      const res = await request(
        prosecutor,
        'POST',
        `/uploads/volumes?caseId=${caseId}&title=${encodeURIComponent(`第${i + 1}卷`)}`,
        createReadStream(v.path),
        { 'content-type': 'application/pdf', 'content-length': String(v.sizeBytes) },
      );
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      if (res.statusCode !== 201)
        throw new Error(
          `upload of volume ${i + 1} answered ${res.statusCode} ${Buffer.concat(chunks).toString()}`,
        );
    }
  });
  say(`upload: ${round(mb(volumeBytes) / upload.seconds)} MB/s`);

  // Build: publish, then wait for READY.
  sampler.phase('build');
  const pkgQuery = /* GraphQL */ `
    query Q($id: ID!) {
      appointment(id: $id) {
        package {
          id
          status
          sizeBytes
          sha256
        }
      }
    }
  `;
  const build = await timed(async () => {
    await call(
      prosecutor,
      /* GraphQL */ `
        mutation P($id: ID!) {
          publishPackage(appointmentId: $id) {
            id
          }
        }
      `,
      { id: appointmentId },
    );
    for (
      const deadline = Date.now() + 3_600_000;
      Date.now() < deadline;
      await new Promise((r) => setTimeout(r, 200))
    ) {
      const p = (await call(lawyer, pkgQuery, { id: appointmentId })).appointment.package;
      if (p?.status === 'READY') return p as { id: string; sizeBytes: number; sha256: string };
      if (p?.status === 'FAILED') throw new Error(`build failed; see the reading log in ${logDir}`);
    }
    throw new Error('build did not finish within an hour');
  });
  const pkg = build.value;
  say(
    `build: ${round(mb(volumeBytes) / build.seconds)} MB/s (${round(build.seconds)} s), zip ${round(mb(pkg.sizeBytes))} MB`,
  );

  // Download grant: receipt, a DOWNLOAD step-up, the password from the SMS.
  // The SMS leaves just after READY.
  for (
    const deadline = Date.now() + 30_000;
    !stack.sms.some((m) => m.kind === 'PACKAGE_READY') && Date.now() < deadline;
  )
    await new Promise((r) => setTimeout(r, 100));
  const password = stack.sms.find((m) => m.kind === 'PACKAGE_READY')!.variables.password!;
  await call(
    lawyer,
    /* GraphQL */ `
      mutation R($id: ID!) {
        acknowledgeReceipt(appointmentId: $id) {
          id
        }
      }
    `,
    { id: appointmentId },
  );
  const stepped = {
    ...lawyer,
    stepUps: [{ id: 'bench-step-up', purpose: 'DOWNLOAD', confirmedAt: new Date().toISOString() }],
  } as Identity;
  const grant = (
    await call(
      stepped,
      /* GraphQL */ `
        mutation U($id: ID!, $p: String!) {
          unlockDownload(appointmentId: $id, password: $p) {
            url
          }
        }
      `,
      { id: appointmentId, p: password },
    )
  ).unlockDownload.url as string;

  // One checked download first: every byte arrives and the SHA-256 matches.
  sampler.phase('download');
  const hash = createHash('sha256');
  const checked = await drain(await request(lawyer, 'GET', grant), hash);
  if (checked !== pkg.sizeBytes || hash.digest('hex') !== pkg.sha256)
    throw new Error('the downloaded zip does not match its size and SHA-256');

  // Ways to move the zip `concurrency` times at once, in a rotating order each round: direct =
  // read straight from storage in this process (the limit), with a fresh buffer a chunk as any
  // reader gets them; direct-reused = the same reusing its buffers (the store's raw speed); route = the reading subgraph's
  // download route; bare = a bare Node HTTP server sending the same blob (Node's ceiling);
  // sendfile-c = a C server sending the file with sendfile(2) (the ceiling of any server here).
  // HTTP clients are curl processes (C: no per-chunk JavaScript, so the figure is the server's)
  // unless --client=node; --client=both adds the Node-client figures as route-node / bare-node.
  const mongo = new MongoClient(stack.db.uri);
  const blobs = createBlobStore(
    { BLOB_STORE: store, BLOB_DIR: stack.blobDir },
    'reading',
    mongo.db('bench_reading'),
  );
  const blobId = (await mongo
    .db('bench_reading')
    .collection('packages')
    .findOne({ _id: pkg.id as never }))!.blobId as string;
  const barePort = await freePort();
  const bareServer = await startProcess({
    name: 'bare-http',
    command: 'node',
    cwd: root,
    logDir,
    args: [...nodeFlags, '--import', 'tsx', 'infra/bench/src/reading/bare-server.ts'],
    env: {
      ...process.env,
      BLOB_STORE: store,
      BLOB_DIR: stack.blobDir,
      MONGODB_URI: stack.db.uri,
      READING_DB: 'bench_reading',
      BLOB_ID: blobId,
      PORT: String(barePort),
    },
    healthUrl: `http://127.0.0.1:${barePort}/ready`,
  });
  // The physical ceiling: a C server sending the blob's file with sendfile(2), when a C compiler is here (fs store only).
  const sendfile =
    store === 'fs'
      ? await startSendfileServer({
          root,
          scratch,
          logDir,
          file: join(stack.blobDir, 'reading', 'packages', blobId),
        })
      : null;
  const routeHeaders = async () => ({
    [internalTokenHeader]: await mintInternalToken(stack.secret, 'reading', lawyer),
  });
  const [routeUrl, bareUrl] = [`${stack.readingUrl}${grant}`, `http://127.0.0.1:${barePort}/`];
  const get = client === 'node' ? nodeGet : curlGet;
  const ways: Record<string, { one: () => Promise<number>; pid: number | null }> = {
    direct: { one: () => drain(blobs.open('packages', blobId)), pid: null },
    'direct-reused': {
      one: () => drain(blobs.open('packages', blobId), undefined, true),
      pid: null,
    },
    route: { one: async () => get(routeUrl, await routeHeaders()), pid: stack.reading.pid },
    bare: { one: () => get(bareUrl), pid: bareServer.pid },
    ...(sendfile ? { 'sendfile-c': { one: () => get(sendfile.url), pid: sendfile.pid } } : {}),
    ...(client === 'both'
      ? {
          'route-node': {
            one: async () => nodeGet(routeUrl, await routeHeaders()),
            pid: stack.reading.pid,
          },
          'bare-node': { one: () => nodeGet(bareUrl), pid: bareServer.pid },
        }
      : {}),
  };
  const order = Object.keys(ways);
  const runs: Record<string, WayRun[]> = Object.fromEntries(order.map((w) => [w, []]));
  for (let r = 0; r < rounds; r++) {
    for (const way of [...order.slice(r % order.length), ...order.slice(0, r % order.length)]) {
      runs[way]!.push(await measureWay(ways[way]!.one, concurrency, pkg.sizeBytes, ways[way]!.pid));
    }
  }
  await bareServer.stop();
  await sendfile?.stop();
  await mongo.close();
  // The run with the median MB/s of each way, with its CPU figures.
  const medianRun = (xs: WayRun[]) =>
    [...xs].sort((a, b) => a.MBs - b.MBs)[Math.floor(xs.length / 2)]!;
  const medians = Object.fromEntries(order.map((w) => [w, medianRun(runs[w]!)]));
  const [directMBs, servedMBs, bareMBs] = [
    medians.direct!.MBs,
    medians.route!.MBs,
    medians.bare!.MBs,
  ];
  say(
    `download: ${round(servedMBs)} MB/s through the route, ${round(directMBs)} MB/s straight from storage (${round((servedMBs / directMBs) * 100)} %), ${round(bareMBs)} MB/s from a bare HTTP server (${round((servedMBs / bareMBs) * 100)} %); ${client} clients`,
  );
  for (const [way, m] of Object.entries(medians))
    say(
      `  ${way}: ${round(m.MBs)} MB/s; cores busy: server ${m.serverCores === null ? '-' : round(m.serverCores, 2)}, harness ${round(m.harnessCores, 2)}, machine ${round(m.machineCores, 2)}`,
    );

  const memory = sampler.stop();
  const peakMb = Math.max(
    memory.reading.lifetimePeakMb,
    ...Object.values(memory.children).map((c) => c.peakMb),
  );
  const figures = {
    volumes: {
      count: volumeCount,
      totalMb: round(mb(volumeBytes)),
      pages: volumes.reduce((s, v) => s + v.pages, 0),
    },
    uploadMBs: round(mb(volumeBytes) / upload.seconds),
    build: {
      seconds: round(build.seconds),
      MBs: round(mb(volumeBytes) / build.seconds),
      zipMb: round(mb(pkg.sizeBytes)),
    },
    download: {
      concurrency,
      rounds,
      client,
      servedMBs: round(servedMBs),
      directMBs: round(directMBs),
      ratio: round(servedMBs / directMBs, 3),
      bareHttpMBs: round(bareMBs),
      ratioToBareHttp: round(servedMBs / bareMBs, 3),
      roundsMBs: Object.fromEntries(
        Object.entries(runs).map(([k, v]) => [k, v.map((x) => round(x.MBs))]),
      ),
      /** Of the median run of each way: cores kept busy by the serving process, the harness, the whole machine (of its cores). */
      coresBusy: Object.fromEntries(
        Object.entries(medians).map(([k, m]) => [
          k,
          {
            server: m.serverCores === null ? null : round(m.serverCores, 2),
            harness: round(m.harnessCores, 2),
            machine: round(m.machineCores, 2),
          },
        ]),
      ),
      directReusedMBs: round(medians['direct-reused']!.MBs),
      ...(medians['sendfile-c']
        ? {
            sendfileCMBs: round(medians['sendfile-c'].MBs),
            ratioToSendfileC: round(servedMBs / medians['sendfile-c'].MBs, 3),
            sendfileCToDirect: round(medians['sendfile-c'].MBs / directMBs, 3),
          }
        : {}),
      ...(medians['route-node']
        ? {
            nodeClient: {
              servedMBs: round(medians['route-node'].MBs),
              bareHttpMBs: round(medians['bare-node']!.MBs),
            },
          }
        : {}),
    },
    memory,
    targets: {
      downloadAtLeast80PercentOfLimit: servedMBs / directMBs >= 0.8,
      peakMemoryUnder200Mb: peakMb < 200,
    },
  };
  const file = writeResult({
    benchmark: 'package-download',
    variant: `${store}-sqlite`,
    startedAt,
    provisional: !final,
    machineAtStart,
    figures,
    configuration: {
      totalMb,
      volumeCount,
      concurrency,
      rounds,
      store,
      launch,
      nodeFlags,
      backend: 'sqlite',
      database: stack.db.description,
      pageImageBytes: 1024 * 1024,
      volumeFiles: await Promise.all(volumes.map(async (v) => (await stat(v.path)).size)),
      qpdf: 'Debian qpdf (--stream-data=preserve, overlay, AES-256 R6)',
      downloadPath: 'harness → reading /downloads/{grant} over loopback HTTP (no gateway)',
    },
    notes: [
      `peak resident memory of any process: ${round(peakMb)} MB`,
      ...(final ? [] : ['provisional: development run']),
    ],
  });
  say(`memory: ${JSON.stringify(memory)}`);
  say(`wrote ${file}`);
} finally {
  await stack.stop();
  rmSync(scratch, { recursive: true, force: true });
}
