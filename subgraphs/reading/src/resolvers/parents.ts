// What resolvers receive where it is not one of this subgraph's documents (see scripts/codegen.ts).
import type { LazyConnection } from '@yuejuan/runtime';
import type { AppointmentDoc, ReadingApplicationDoc } from '../models/index.ts';

/** An entity another subgraph owns, known here by its id. */
export type EntityRef = { id: string };
/** A volume as a package lists it (its snapshot) or as the case has it: Volume's fields. */
export type VolumeView = {
  _id: string;
  title: string;
  position: number;
  sizeBytes: number;
  pageCount: number;
  /** In a package: when it came as 补充卷宗. */
  supplementedAt?: Date | null;
  /** In a package: the 遮蔽 marks burned in (absent for a case's volume: counted live). */
  redactions?: number;
};
/** A page of reading applications, fetched only when its parts are selected. */
export type ReadingApplicationPage = LazyConnection<ReadingApplicationDoc>;
/** A page of appointments, fetched only when its parts are selected. */
export type AppointmentPage = LazyConnection<AppointmentDoc>;
/** A row of a package's online reading audit (reader.service activity). */
export type ReadingActivityView = {
  lawyerId: string;
  volumeTitle: string;
  pagesViewed: number;
  views: number;
  firstAt: string;
  lastAt: string;
  minutes: number;
  ips: string[];
};
