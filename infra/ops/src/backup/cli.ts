// Entry of the backup CLI: `npm run ops -- backup|verify|restore <dir>`. Everything else is in
// run.ts, which tests call without a process.
import { runOps } from './run.ts';

process.exitCode = await runOps(
  process.argv.slice(2),
  process.env,
  {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
  // npm runs a workspace's script in the workspace: INIT_CWD is where the operator typed it.
  process.env.INIT_CWD ?? process.cwd(),
);
