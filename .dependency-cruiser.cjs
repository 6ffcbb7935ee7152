// The direction of the packages (issue 19), checked by `npm run lint` in `npm test`:
//   gateway → platform ← subgraph kit (runtime) ← subgraphs;  clients → client kit (shared).
// Workspace packages resolve to their folders, so the rules are written on paths.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'operations-tool-uses-the-contract-only',
      comment: 'The extraction reads the clients and the schema package; it knows no server code.',
      severity: 'error',
      from: { path: '^clients/operations/src/' },
      to: { path: '^(gateway/|subgraphs/)' },
    },
    {
      name: 'gateway-uses-platform-only',
      comment:
        'The gateway shares only the platform package with the subgraphs, never their kit or code.',
      severity: 'error',
      from: { path: '^gateway/(src|scripts)/' },
      to: { path: '^(subgraphs/(?!platform/)|clients/|infra/)' },
    },
    {
      name: 'platform-stands-alone',
      comment: 'The platform package depends on no other package of ours.',
      severity: 'error',
      from: { path: '^subgraphs/platform/src/' },
      to: { path: '^(subgraphs/(?!platform/)|gateway/|clients/|infra/)' },
    },
    {
      name: 'kit-knows-no-domain',
      comment:
        'The subgraph kit serves every subgraph and knows none of them, the gateway or the apps.',
      severity: 'error',
      from: { path: '^subgraphs/runtime/src/' },
      to: {
        path: '^(subgraphs/(identity|cases|reading|notifications)/|gateway/|clients/|infra/(ops|bench)/)',
      },
    },
    {
      name: 'subgraphs-apart',
      comment:
        'A subgraph reaches another only through the graph or its internal routes, never its code.',
      severity: 'error',
      from: { path: '^subgraphs/(identity|cases|reading|notifications)/src/' },
      to: { path: '^subgraphs/(identity|cases|reading|notifications)/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'apps-use-client-kit-only',
      comment:
        'The apps talk to the platform over GraphQL: they import the client kit, not server code.',
      severity: 'error',
      from: { path: '^clients/(portal|verifier|console|shared)/src/' },
      to: { path: '^(gateway/|subgraphs/|infra/)' },
    },
    {
      name: 'product-code-not-tests',
      comment: 'Product code never imports tests, fixtures or benchmarks.',
      severity: 'error',
      from: {
        path: '^(gateway|subgraphs/[^/]+|clients/[^/]+)/src/',
        pathNot: '/src/testing(/|\\.ts$)',
      },
      to: { path: '(/test/|^infra/bench/|^infra/testing/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|/dist/|/build/|\\.svelte-kit/)' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'default', 'node'],
      extensions: ['.ts', '.js', '.mjs', '.svelte'],
    },
  },
};
