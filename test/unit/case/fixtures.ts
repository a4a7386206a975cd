import { SYSTEM_ACTOR, decide, nextDeadline, record } from '../../../domain';
import { allCriteria, getSheet } from '../../../domain/scoring';
import type { Actor, CaseState, CommandInput, CommandMeta, CommandType, DomainEvent, Stage } from '../../../domain';

export const PROVINCE = '01';
export const COMMUNE = '00004';
export const SUBJECT = 'HTX-TRA-01';
/** The score sheet of the sample product (tea). */
export const SHEET = 'tea';

export const subject: Actor = { userId: 'user-subject', role: 'subject', office: SUBJECT };
export const otherSubject: Actor = { userId: 'user-other', role: 'subject', office: 'HTX-OTHER' };
export const communeOfficer: Actor = { userId: 'user-commune', role: 'commune_officer', office: COMMUNE };
export const otherCommuneOfficer: Actor = { userId: 'user-commune-2', role: 'commune_officer', office: '00007' };
export const provincialOffice: Actor = { userId: 'user-province', role: 'provincial_office', office: PROVINCE };
export const otherProvince: Actor = { userId: 'user-province-2', role: 'provincial_office', office: '79' };
export const ministry: Actor = { userId: 'user-ministry', role: 'ministry', office: 'MINISTRY' };
export const auditor: Actor = { userId: 'user-auditor', role: 'auditor', office: PROVINCE };
export const councilMember: Actor = { userId: 'user-council', role: 'council_member', office: PROVINCE };
export const admin: Actor = { userId: 'user-admin', role: 'admin', office: 'HQ' };

/** 10:00 in Vietnam on `date`. */
export function at(date: string): string {
  return `${date}T03:00:00.000Z`;
}

export function meta(date: string, actor: Actor): CommandMeta {
  return { now: at(date), actor };
}

/** The product code of a product certified under QĐ 26/2026 in the sample commune. */
export function importedCode(issuedOn: string): string {
  return `${PROVINCE}-${COMMUNE}-7-${issuedOn.slice(0, 4)}`;
}

// ------------------------------------------------------------------------------------------ sample commands

export const cmd = {
  registerIdea: (over: Partial<Record<string, string>> = {}): CommandInput => ({
    type: 'RegisterIdea',
    data: {
      productId: 'P-TRA-SHAN',
      subjectId: SUBJECT,
      subjectName: 'HTX Chè Shan Tuyết',
      productName: 'Chè Shan Tuyết',
      productSetCode: SHEET,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
      ideaSummary: 'Trà shan tuyết cổ thụ',
      ...over,
    },
  }),
  acceptIdea: (): CommandInput => ({ type: 'AcceptIdea', data: {} }),
  returnIdea: (): CommandInput => ({ type: 'ReturnIdea', data: { reason: 'Ý tưởng chưa rõ' } }),
  reviseIdea: (): CommandInput => ({
    type: 'ReviseIdea',
    data: { ideaSummary: 'Trà shan tuyết, rõ vùng nguyên liệu' },
  }),
  submitPlan: (): CommandInput => ({ type: 'SubmitBusinessPlan', data: { planRef: 'PA-01' } }),
  approvePlan: (): CommandInput => ({ type: 'ApproveBusinessPlan', data: {} }),
  returnPlan: (): CommandInput => ({ type: 'ReturnBusinessPlan', data: { reason: 'Thiếu phương án tiêu thụ' } }),
  submitDossier: (kind: 'first' | 'upgrade' | 're_rating' = 'first'): CommandInput => ({
    type: 'SubmitDossier',
    data: { kind, dossierRef: `HS-${kind}`, selfAssessedScore: 72, sampleCount: 5 },
  }),
  returnDossier: (completeBy: string): CommandInput => ({
    type: 'ReturnDossierForCompletion',
    data: { reason: 'Thiếu phiếu kiểm nghiệm', missing: ['phiếu kiểm nghiệm'], completeBy },
  }),
  completeDossier: (): CommandInput => ({ type: 'CompleteDossier', data: { dossierRef: 'HS-2' } }),
  assess: (): CommandInput => ({
    type: 'AssessDossierAtCommune',
    data: {
      localRawMaterials: 'meets',
      localLabour: 'meets',
      ideaOrigin: 'traditional',
      localIdentity: 'partly',
      reportRef: 'BC-03',
    },
  }),
  forward: (): CommandInput => ({ type: 'ForwardDossierToProvince', data: { letterRef: 'CV-12', sampleCount: 5 } }),
  assignRound: (decideBy?: string): CommandInput => ({
    type: 'AssignToProvincialRound',
    data: decideBy ? { decideBy } : {},
  }),
  requestEvidence: (dueDate: string): CommandInput => ({
    type: 'RequestMoreEvidence',
    data: { items: ['Hợp đồng liên kết'], dueDate },
  }),
  submitEvidence: (): CommandInput => ({ type: 'SubmitEvidence', data: { evidenceRefs: ['HD-01'] } }),
  siteVisit: (visitedOn: string): CommandInput => ({
    type: 'RecordSiteVisit',
    data: { visitedOn, findings: 'Cơ sở đạt' },
  }),
  labTest: (testedOn: string): CommandInput => ({
    type: 'RecordLabTest',
    data: { laboratory: 'Quatest 1', reportRef: 'KN-7', testedOn, passed: true },
  }),
  council: (
    averageScore: number,
    star: 1 | 2 | 3 | 4 | 5,
    knockOut: { ground: string; reason: string } | null = null,
  ) =>
    ({
      type: 'RecordCouncilResult',
      data: { averageScore, star, knockOut, sheetCode: '11', memberCount: 9 },
    }) satisfies CommandInput,
  conveneCouncil: (
    members: { memberId: string; role: 'chair' | 'member' | 'secretary' }[] = [
      { memberId: 'user-council', role: 'chair' },
      { memberId: 'user-council-2', role: 'member' },
      { memberId: 'user-council-3', role: 'member' },
      { memberId: 'user-secretary', role: 'secretary' },
    ],
    quorum?: number,
  ): CommandInput => ({
    type: 'ConveneCouncil',
    data: { sheetCode: SHEET, members, ...(quorum ? { quorum } : {}) },
  }),
  /** A complete score sheet: option `pick(criterion)` of every criterion (the first by default). */
  submitScores: (pick: (optionIds: string[]) => string = (ids) => ids[0]!): CommandInput => ({
    type: 'SubmitCouncilScores',
    data: {
      selections: allCriteria(getSheet(SHEET)).map((c) => ({
        criterionId: c.id,
        optionId: pick(c.options.map((o) => o.id)),
      })),
    },
  }),
  closeCouncil: (knockOuts?: { groundId: string; finding?: string }[]): CommandInput => ({
    type: 'CloseCouncil',
    data: knockOuts ? { knockOuts } : {},
  }),
  sendToMinistry: (): CommandInput => ({
    type: 'SendToMinistry',
    data: { letterRef: 'CV-UBND-5', approvalDecisionRef: 'QD-PD-5' },
  }),
  centralCouncil: (averageScore: number, star: 1 | 2 | 3 | 4 | 5): CommandInput => ({
    type: 'RecordCentralCouncilResult',
    data: { averageScore, star, knockOut: null, sheetCode: '11', memberCount: 11 },
  }),
  decide: (star: 3 | 4 | 5): CommandInput => ({
    type: 'DecideRecognition',
    data: { star, decisionNumber: `QD-${star}` },
  }),
  issue: (certificateNumber = 'GCN-1'): CommandInput => ({ type: 'IssueCertificate', data: { certificateNumber } }),
  proposeRevocation: (concludedOn: string, ground: 'a' | 'b' | 'c' | 'd' | 'dd' | 'e' = 'b'): CommandInput => ({
    type: 'ProposeRevocation',
    data: { ground, concludedOn, finding: 'Kết luận kiểm tra' },
  }),
  revoke: (concludedOn: string, ground: 'a' | 'b' | 'c' | 'd' | 'dd' | 'e' = 'b'): CommandInput => ({
    type: 'RevokeCertificate',
    data: { ground, concludedOn, decisionNumber: 'QD-TH-1', reason: 'Theo kết luận' },
  }),
  dismissRevocation: (): CommandInput => ({ type: 'DismissRevocation', data: { reason: 'Đã khắc phục' } }),
  withdraw: (): CommandInput => ({ type: 'WithdrawDossier', data: { reason: 'Ngừng sản xuất' } }),
  importProduct: (certificate: {
    star: 3 | 4 | 5;
    level: 'district' | 'province' | 'ministry';
    issuedOn: string;
    expiresOn: string;
    ruleSetId: 'QD1048_2019' | 'QD148_2023' | 'QD148_1489_2025' | 'QD26_2026';
  }): CommandInput => ({
    type: 'ImportCertifiedProduct',
    data: {
      // Under QĐ 26/2026 the product code is (T)-(X)-(STT)-year (Annex II); older codes are kept as they were.
      productId: certificate.ruleSetId === 'QD26_2026' ? importedCode(certificate.issuedOn) : 'P-TRA-SHAN',
      subjectId: SUBJECT,
      subjectName: 'HTX Chè Shan Tuyết',
      productName: 'Chè Shan Tuyết',
      productSetCode: SHEET,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
      // The district of the places printed on the certificate: only before 01/07/2025.
      ...(certificate.issuedOn < '2025-07-01' ? { districtCode: '001' } : {}),
      ruleSetId: certificate.ruleSetId,
      certificate: {
        number: 'GCN-HUYEN-88',
        star: certificate.star,
        level: certificate.level,
        issuedOn: certificate.issuedOn,
        expiresOn: certificate.expiresOn,
        issuedBy: '001',
      },
      source: 'paper register 2024',
    },
  }),
  importDossier: (filedOn: string, forwardedOn: string): CommandInput => ({
    type: 'ImportDossierInProgress',
    data: {
      productId: 'P-TRA-SHAN',
      subjectId: SUBJECT,
      subjectName: 'HTX Chè Shan Tuyết',
      productName: 'Chè Shan Tuyết',
      productSetCode: SHEET,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
      dossier: { dossierRef: 'HS-GIAY-7', filedOn, forwardedOn },
      source: 'paper register 2026',
    },
  }),
  /**
   * A 4★ certificate issued 2023-11-17 under QĐ 148/2023, valid through 2026-11-17: its art. 7.6a window
   * (2026-05-21 … 2026-07-20) opened the day before QĐ 26/2026 took effect, so art. 12.3 covers it. With
   * `reRating`, its re-rating dossier was filed on paper and forwarded before the import.
   */
  importEntitled: (reRating?: { filedOn: string; forwardedOn: string }): CommandInput => ({
    type: 'ImportCertifiedProduct',
    data: {
      productId: 'P-TRA-SHAN',
      subjectId: SUBJECT,
      subjectName: 'HTX Chè Shan Tuyết',
      productName: 'Chè Shan Tuyết',
      productSetCode: SHEET,
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
      ruleSetId: 'QD148_2023',
      certificate: { number: 'GCN-148-4', star: 4, level: 'province', issuedOn: '2023-11-17', expiresOn: '2026-11-17' },
      ...(reRating ? { reRatingDossier: { dossierRef: 'HS-DGL-GIAY', ...reRating } } : {}),
      source: 'paper register 2026',
    },
  }),
  updatePlaces: (): CommandInput => ({
    type: 'UpdatePlaces',
    data: { provinceCode: PROVINCE, communeCode: COMMUNE, reason: 'Sắp xếp đơn vị hành chính 2025' },
  }),
  system: (type: CommandType): CommandInput => ({ type, data: {} }) as CommandInput,
};

// -------------------------------------------------------------------------------------------------- stories

/** Runs real commands through decide + record and keeps the events, so every history is one the decider made. */
export class Story {
  state: CaseState = { status: 'none' };
  readonly events: DomainEvent[] = [];

  run(command: CommandInput, date: string, actor: Actor): DomainEvent[] {
    return this.runAt(command, at(date), actor);
  }

  runAt(command: CommandInput, now: string, actor: Actor): DomainEvent[] {
    const produced = decide(command, this.state, { now, actor });
    this.state = record(this.state, produced, now).state;
    this.events.push(...produced);
    return produced;
  }

  /** Let the earliest deadline elapse, as the workflow does. */
  elapse(): DomainEvent[] {
    const next = nextDeadline(this.state);
    if (!next) throw new Error('no pending deadline');
    return this.runAt(next.command, next.due, SYSTEM_ACTOR);
  }
}

/** The first-evaluation path under QĐ 26/2026, stopping at `stop`. Dates are a Monday-based 2026 calendar. */
export function storyTo(
  stop: Stage,
  score: { score: number; star: 1 | 2 | 3 | 4 | 5 } = { score: 75.5, star: 4 },
): Story {
  const s = new Story();
  const steps: [Stage, () => void][] = [
    ['idea_registered', () => s.run(cmd.registerIdea(), '2026-06-01', subject)],
    ['idea_accepted', () => s.run(cmd.acceptIdea(), '2026-06-02', communeOfficer)],
    ['plan_submitted', () => s.run(cmd.submitPlan(), '2026-06-03', subject)],
    ['plan_approved', () => s.run(cmd.approvePlan(), '2026-06-04', communeOfficer)],
    ['dossier_submitted', () => s.run(cmd.submitDossier(), '2026-08-03', subject)],
    ['commune_assessed', () => s.run(cmd.assess(), '2026-08-10', communeOfficer)],
    ['forwarded', () => s.run(cmd.forward(), '2026-08-11', communeOfficer)],
    ['under_review', () => s.run(cmd.assignRound(), '2026-08-12', provincialOffice)],
    ['council_scored', () => s.run(cmd.council(score.score, score.star), '2026-11-12', provincialOffice)],
    ['recognised', () => s.run(cmd.decide(score.star as 3 | 4), '2026-11-20', provincialOffice)],
    ['certified', () => s.run(cmd.issue(), '2026-11-21', provincialOffice)],
  ];
  for (const [stage, step] of steps) {
    step();
    if (stage === stop) return s;
  }
  throw new Error(`storyTo cannot reach ${stop}`);
}

/** A 5★ path: council 93 at the province, sent to the Ministry on 2026-11-25. */
export function storyToMinistry(): Story {
  const s = storyTo('under_review');
  s.run(cmd.council(93, 5), '2026-11-12', provincialOffice);
  s.run(cmd.sendToMinistry(), '2026-11-25', provincialOffice);
  return s;
}

/** One example history for every stage. */
export function historyFor(stage: Stage): DomainEvent[] {
  switch (stage) {
    case 'none':
      return [];
    case 'idea_returned': {
      const s = storyTo('idea_registered');
      s.run(cmd.returnIdea(), '2026-06-02', communeOfficer);
      return s.events;
    }
    case 'dossier_returned': {
      const s = storyTo('dossier_submitted');
      s.run(cmd.returnDossier('2026-08-20'), '2026-08-05', communeOfficer);
      return s.events;
    }
    case 'evidence_requested': {
      const s = storyTo('under_review');
      s.run(cmd.requestEvidence('2026-09-15'), '2026-09-01', provincialOffice);
      return s.events;
    }
    case 'at_ministry':
      return storyToMinistry().events;
    case 'central_scored': {
      const s = storyToMinistry();
      s.run(cmd.centralCouncil(92, 5), '2027-03-10', ministry);
      return s.events;
    }
    case 'not_recognised':
      return storyTo('council_scored', { score: 45, star: 2 }).events;
    case 'expired': {
      const s = storyTo('certified');
      s.runAt(cmd.system('ExpireCertificate'), '2029-11-21T17:00:00.000Z', SYSTEM_ACTOR);
      return s.events;
    }
    case 'revoked': {
      const s = storyTo('certified');
      s.run(cmd.proposeRevocation('2027-03-01'), '2027-03-02', provincialOffice);
      s.run(cmd.revoke('2027-03-01'), '2027-03-05', provincialOffice);
      return s.events;
    }
    case 'withdrawn': {
      const s = storyTo('plan_approved');
      s.run(cmd.withdraw(), '2026-06-10', subject);
      return s.events;
    }
    default:
      return storyTo(stage).events;
  }
}
