// Entry of the import CLI: `npx tsx infra/ops/src/import/cli.ts <kind> <file>`. Everything
// else is in run-import.ts, which tests call without a process.
import { runImport } from './run-import.ts';

process.exitCode = await runImport(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
