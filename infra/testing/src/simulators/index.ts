// Stand-ins for the outside services the platform calls (SMS providers), speaking their real
// contracts: the notifications tests and benchmarks use them, and so does the production-mode
// cluster (infra/cluster), which runs without real providers on this machine.
export * from './http.ts';
export * from './aliyun.ts';
