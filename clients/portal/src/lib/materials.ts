// Which binding materials flow 3 asks for (the cases subgraph checks the same on submit):
// 授权委托书 or 法律援助公函, 律师事务所函/证明, 律师执业证; and the client's ID and relation proof
// when the client is not the suspect (nor a legal-aid appointment).

/** One required material: the kinds that satisfy it (any of them). */
export interface Requirement {
  kinds: string[];
  label: string;
}

/** The materials required for a client relation. */
export function requiredMaterials(relation: string): Requirement[] {
  const list: Requirement[] = [
    {
      kinds: ['POWER_OF_ATTORNEY', 'LEGAL_AID_LETTER'],
      label: '授权委托书（法律援助案件为法律援助公函）',
    },
    { kinds: ['LAW_FIRM_LETTER'], label: '律师事务所函/证明' },
    { kinds: ['LICENCE'], label: '律师执业证' },
  ];
  if (relation !== 'SELF' && relation !== 'LEGAL_AID')
    list.push(
      { kinds: ['CLIENT_ID'], label: '委托人身份证明' },
      { kinds: ['RELATION_PROOF'], label: '关系证明' },
    );
  return list;
}

/** The requirements not yet met by the uploaded kinds. */
export const missingMaterials = (relation: string, uploaded: Iterable<string>): Requirement[] => {
  const have = new Set(uploaded);
  return requiredMaterials(relation).filter((r) => !r.kinds.some((k) => have.has(k)));
};
