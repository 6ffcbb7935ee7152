/**
 * Dev entry points:
 *   tsx infra/database/src/cli.ts build   ensure the FerretDB binary, print its path
 *   tsx infra/database/src/cli.ts run     run FerretDB in the foreground on
 *                                         YUEJUAN_DB_PORT (default 27017), print the uri;
 *                                         on PostgreSQL with YUEJUAN_DB_BACKEND=postgresql
 * Only the result goes to stdout (scriptable); progress goes to stderr.
 */
import { ensureFerretDB } from './build.ts';
import { GoMissingError } from './errors.ts';
import { startDatabase } from './launcher.ts';

const log = (line: string) => console.error(`[database] ${line}`);

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'build':
      console.log(await ensureFerretDB({ log }));
      return;
    case 'run':
      return runForeground();
    default:
      console.error('usage: cli.ts build | run');
      process.exitCode = 2;
  }
}

async function runForeground(): Promise<void> {
  if (process.env['MONGODB_URI']?.trim()) {
    // Nothing to run: the app will talk to that server directly.
    log('MONGODB_URI is set; not starting FerretDB.');
    return;
  }
  const port = parsePort(process.env['YUEJUAN_DB_PORT'] ?? '27017');
  const db = await startDatabase({ port, log });
  console.log(db.uri);

  const shutdown = (signal: string) => {
    log(`${signal}: stopping FerretDB...`);
    db.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // The running child keeps the event loop alive until a signal arrives. If FerretDB
  // dies on its own the loop drains and we exit, and that must read as a failure.
  process.exitCode = 1;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`YUEJUAN_DB_PORT is not a port: ${value}`);
  return port;
}

main(process.argv[2]).catch((err: unknown) => {
  // GoMissingError is an expected situation with a one-line fix: no stack trace.
  console.error(err instanceof GoMissingError ? err.message : err);
  process.exit(1);
});
