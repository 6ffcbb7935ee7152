// Selections the portal's pages share between a load and the subscription that keeps it live.
import { graphql, type ResultOf } from '@yuejuan/client-shared/graphql';

/** A row of 案件绑定申请, as listed and as pushed when a prosecutor decides. */
export const BindingRow = graphql(`
  fragment PortalBindingRow on BindingApplication {
    id
    status
    lawyerRole
    suspectName
    submittedAt
    decidedAt
    decisionReason
    materialsRequestNote
    caseSummary {
      id
      caseName
      departmentCaseNumber
      procuratorate {
        id
        name
      }
    }
  }
`);
export type BindingRow = ResultOf<typeof BindingRow>;

/** A message of 消息通知, as listed and as pushed when it arrives. */
export const NoteRow = graphql(`
  fragment PortalNoteRow on Notification {
    id
    kind
    title
    body
    subjectId
    createdAt
    readAt
  }
`);
export type NoteRow = ResultOf<typeof NoteRow>;

/** A reading application as 已绑定案件 shows it, as listed and as pushed when it changes. */
export const ReadingRow = graphql(`
  fragment PortalReadingRow on ReadingApplication {
    id
    status
    holdsCase
    decisionReason
    case {
      id
    }
  }
`);
export type ReadingRow = ResultOf<typeof ReadingRow>;

/** The identity QR of a step-up, as created, pushed and polled. */
export const ChallengeFields = graphql(`
  fragment PortalStepUpChallenge on VerificationChallenge {
    id
    status
    qrSvg
    expiresAt
  }
`);
export type Challenge = ResultOf<typeof ChallengeFields>;

/** The login QR, as created, pushed and polled. */
export const TicketFields = graphql(`
  fragment PortalLoginTicket on LoginTicket {
    id
    status
    qrSvg
    qrPayload
    expiresAt
  }
`);
export type Ticket = ResultOf<typeof TicketFields>;
