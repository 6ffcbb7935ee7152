// Operations tooling: the register/case import and the demo data, over the subgraphs' services.
export { importRows } from './import/import-rows.ts';
export { readRows, ImportFileError } from './import/read-rows.ts';
export { runImport, type ExitCode, type Output } from './import/run-import.ts';
export { importKinds, isImportKind, type ImportKind, type ImportServices } from './import/kinds.ts';
export type { ImportResult, ReadResult, RowError, SourceRow } from './import/types.ts';
export {
  seedDemo,
  type SeedDemoOptions,
  type DemoSummary,
  type DemoCounts,
} from './demo/seed-demo.ts';
export { demoDir, demoFiles } from './demo/demo-files.ts';
export { seedDemoSlots } from './demo/demo-slots.ts';
export { loadImportConfig } from './config.ts';
export { startProcess, subgraphNodeFlags, tail, type RunningProcess } from './stack/processes.ts';
export { apps, buildClients } from './stack/build-clients.ts';
export { loadDevSecrets, type StackSecrets } from './stack/secrets.ts';
export {
  ensureSystemPackages,
  ocrPackages,
  qpdf,
  type SystemPackage,
} from './stack/system-packages.ts';
