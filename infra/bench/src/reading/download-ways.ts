// The download part of the package benchmark: moves one zip `concurrency` times at once, in
// several ways, and measures MB/s and where the CPU went (2 cores are shared by the clients,
// the server and anything else running on the machine).
import { execFile, spawn } from 'node:child_process';
import type { Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { cpuMs } from '../lib/procstat.ts';
import { freePort, startProcess } from '../lib/processes.ts';

/**
 * Reads a stream to its end, counting (and optionally hashing) its bytes: the least per-chunk
 * work a Node client can do. With `reuse`, chunks go back to a recycling source (the fs store's
 * stream) once counted, so the read allocates nothing per chunk: the store's raw speed.
 */
export const drain = async (
  stream: Readable & { recycle?(chunk: Buffer): void },
  hash?: Hash,
  reuse = false,
) => {
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash?.update(chunk);
    if (reuse) stream.recycle?.(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  return bytes;
};

/** A GET with Node's http client; resolves with the bytes of a 200 answer. */
export const nodeGet = (url: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET answered ${res.statusCode}`));
          return;
        }
        void drain(res).then(resolve, reject);
      })
      .on('error', reject);
  });

/** A GET by a curl process writing to /dev/null (a C client: no per-chunk JavaScript); resolves with the bytes of a 200 answer. */
export const curlGet = (url: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve, reject) => {
    const args = [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{size_download}',
      ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
      url,
    ];
    const proc = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    proc.on('error', reject);
    proc.on('close', () => {
      const [code, bytes] = out.trim().split(' ');
      if (code === '200') resolve(Number(bytes));
      else reject(new Error(`curl answered ${out}`));
    });
  });

/** Whether a curl executable runs here. */
export const hasCurl = () =>
  new Promise<boolean>((resolve) => {
    const proc = spawn('curl', ['--version'], { stdio: 'ignore' });
    proc.on('error', () => resolve(false));
    proc.on('close', (code) => resolve(code === 0));
  });

/** Busy and total CPU ticks of the whole machine (/proc/stat), to tell how many cores a run kept busy. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = fields[3]! + fields[4]!; // idle + iowait
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface WayRun {
  MBs: number;
  /** Cores the serving process kept busy on average (null when nothing serves: a direct read). */
  serverCores: number | null;
  /** Cores the harness process (Node clients, direct reads) kept busy. */
  harnessCores: number;
  /** Cores the whole machine kept busy (everything: clients, server, curl processes, other users). */
  machineCores: number;
}

/** Runs `one` `concurrency` times at once; checks every run moved `expectBytes`; answers MB/s and CPU. */
export async function measureWay(
  one: () => Promise<number>,
  concurrency: number,
  expectBytes: number,
  serverPid: number | null,
): Promise<WayRun> {
  const [server0, harness0, machine0, t0] = [
    serverPid ? cpuMs(serverPid)! : 0,
    process.cpuUsage(),
    machineTicks(),
    performance.now(),
  ];
  const bytes = await Promise.all(Array.from({ length: concurrency }, one));
  const seconds = (performance.now() - t0) / 1000;
  const [server1, harness1, machine1] = [
    serverPid ? cpuMs(serverPid)! : 0,
    process.cpuUsage(harness0),
    machineTicks(),
  ];
  if (bytes.some((b) => b !== expectBytes))
    throw new Error(`a download was short: ${bytes.join(', ')}`);
  const cores =
    machine1.total - machine0.total > 0
      ? ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * machineCores()
      : NaN;
  return {
    MBs: (expectBytes * concurrency) / 1024 / 1024 / seconds,
    serverCores: serverPid ? (server1 - server0) / 1000 / seconds : null,
    harnessCores: (harness1.user + harness1.system) / 1e6 / seconds,
    machineCores: cores,
  };
}

const machineCores = () =>
  readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l)).length;

/**
 * Compiles and starts sendfile-server.c (a C server sending `file` with sendfile(2)): the most a
 * server can do over loopback HTTP here. Null when there is no C compiler.
 */
export async function startSendfileServer(o: {
  root: string;
  scratch: string;
  logDir: string;
  file: string;
}) {
  const binary = join(o.scratch, 'sendfile-server');
  const source = join(o.root, 'infra/bench/src/reading/sendfile-server.c');
  const compiled = await promisify(execFile)('cc', ['-O2', '-pthread', '-o', binary, source]).then(
    () => true,
    () => false,
  );
  if (!compiled) return null;
  const port = await freePort();
  const proc = await startProcess({
    name: 'sendfile-c',
    command: binary,
    args: [o.file, String(port)],
    cwd: o.root,
    logDir: o.logDir,
    env: {},
    healthUrl: `http://127.0.0.1:${port}/ready`,
  });
  return { url: `http://127.0.0.1:${port}/`, pid: proc.pid, stop: () => proc.stop() };
}
