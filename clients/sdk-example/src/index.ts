// 阅卷 Yuejuan: an example typed SDK of the integrators' contract (schema/contract.graphql).
export * from './client.ts';
export * from './procuratorate.ts';
export * from './law-firm.ts';
export * from './generated/graphql.ts';
