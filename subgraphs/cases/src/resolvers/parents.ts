// What resolvers receive where it is not one of this subgraph's documents (see scripts/codegen.ts).
import type { LazyConnection } from '@yuejuan/runtime';
import type { BindingApplicationDoc, CaseDoc } from '../models/index.ts';

/** An entity another subgraph owns, known here by its id. */
export type EntityRef = { id: string };
/** A page of binding applications, fetched only when its parts are selected. */
export type BindingApplicationPage = LazyConnection<BindingApplicationDoc>;
/** A page of cases, fetched only when its parts are selected. */
export type CasePage = LazyConnection<CaseDoc>;
