/**
 * The commands of one full product cycle, idea → 3★ certificate (15 commands, 15 events), with actors in one
 * province and commune. Dates are relative to the workflow clock's "today" (the dev server runs in real time).
 */
import { addDays, addMonths, localDate, ruleSetInForce, type Actor, type CommandInput, type Round } from '../domain';
import { openRoundFacts } from '../test/support/rounds';

export const PROVINCE = '01';
export const COMMUNE = '00004';

export interface Step {
  actor: Actor;
  command: CommandInput;
  /** What the API sends with a command that concerns a round: the province's rounds (here all open). */
  rounds?: Round[];
}

const subjectOf = (subjectId: string): Actor => ({ userId: `u-${subjectId}`, role: 'subject', office: subjectId });
export const communeOfficer: Actor = { userId: 'u-commune', role: 'commune_officer', office: COMMUNE };
export const provincialOffice: Actor = { userId: 'u-province', role: 'provincial_office', office: PROVINCE };

/** The stage every cycle ends in. */
export const CYCLE_END = 'certified';

export function cycleSteps(productId: string, now = new Date()): Step[] {
  const today = localDate(now.toISOString());
  const subjectId = `HTX-${productId}`;
  const subject = subjectOf(subjectId);
  const assess: CommandInput = {
    type: 'AssessDossierAtCommune',
    data: {
      localRawMaterials: 'meets',
      localLabour: 'meets',
      ideaOrigin: 'traditional',
      localIdentity: 'partly',
      reportRef: 'BC-03',
    },
  };
  return [
    {
      actor: subject,
      command: {
        type: 'RegisterIdea',
        data: {
          productId,
          subjectId,
          subjectName: 'HTX Chè Shan Tuyết',
          productName: `Chè ${productId}`,
          productSetCode: 'tea',
          provinceCode: PROVINCE,
          communeCode: COMMUNE,
          ideaSummary: 'Trà shan tuyết cổ thụ',
        },
      },
    },
    { actor: communeOfficer, command: { type: 'AcceptIdea', data: {} } },
    { actor: subject, command: { type: 'SubmitBusinessPlan', data: { planRef: 'PA-01' } } },
    { actor: communeOfficer, command: { type: 'ApproveBusinessPlan', data: {} } },
    {
      actor: subject,
      command: {
        type: 'SubmitDossier',
        data: { kind: 'first', dossierRef: 'HS-1', selfAssessedScore: 72, sampleCount: 5 },
      },
    },
    { actor: communeOfficer, command: assess },
    {
      actor: communeOfficer,
      command: { type: 'ForwardDossierToProvince', data: { letterRef: 'CV-12', sampleCount: 5 } },
    },
    {
      actor: provincialOffice,
      command: { type: 'AssignToProvincialRound', data: {} },
      rounds: openRoundFacts(PROVINCE),
    },
    {
      actor: provincialOffice,
      command: { type: 'RequestMoreEvidence', data: { items: ['Hợp đồng liên kết'], dueDate: addDays(today, 10) } },
    },
    { actor: subject, command: { type: 'SubmitEvidence', data: { evidenceRefs: ['HD-01'] } } },
    { actor: provincialOffice, command: { type: 'RecordSiteVisit', data: { visitedOn: today, findings: 'Đạt' } } },
    {
      actor: provincialOffice,
      command: {
        type: 'RecordLabTest',
        data: { laboratory: 'Quatest 1', reportRef: 'KN-7', testedOn: today, passed: true },
      },
    },
    {
      actor: provincialOffice,
      command: {
        type: 'RecordCouncilResult',
        data: { averageScore: 60, star: 3, knockOut: null, sheetCode: '11', memberCount: 9 },
      },
    },
    { actor: provincialOffice, command: { type: 'DecideRecognition', data: { star: 3, decisionNumber: 'QD-3' } } },
    { actor: provincialOffice, command: { type: 'IssueCertificate', data: { certificateNumber: `GCN-${productId}` } } },
  ];
}

/** Events one cycle records (one per command on this path). */
export const CYCLE_EVENTS = 15;

/**
 * A certified product as a province's paper register has it: the import command of a case's history. Its rule-set,
 * 36-month validity and recogniser are those in force on its issue date, as an import must have them.
 */
export function importStep(productId: string, i: number, certificate?: { issuedOn: string }): Step {
  const subjectId = `HTX-${i % 5000}`;
  const issuedOn = certificate?.issuedOn ?? addDays('2024-01-15', i % 600);
  const expiresOn = addMonths(issuedOn, 36);
  const ruleSet = ruleSetInForce(issuedOn);
  const star = i % 3 === 0 ? 4 : 3;
  const level =
    ruleSet.recognisers[star] === 'district' && issuedOn >= '2025-07-01' ? 'province' : ruleSet.recognisers[star];
  return {
    actor: provincialOffice,
    command: {
      type: 'ImportCertifiedProduct',
      data: {
        productId,
        subjectId,
        subjectName: `HTX ${subjectId}`,
        productName: `Sản phẩm ${productId}`,
        productSetCode: 'tea',
        provinceCode: PROVINCE,
        communeCode: COMMUNE,
        // The district printed on a certificate issued before 01/07/2025 (Quận Ba Đình held Phường Trúc Bạch).
        ...(issuedOn < '2025-07-01' ? { districtCode: '001' } : {}),
        ruleSetId: ruleSet.id,
        certificate: {
          number: `GCN-${productId}`,
          star,
          level,
          issuedOn,
          expiresOn,
          issuedBy: PROVINCE,
        },
        source: 'paper register 2024',
      },
    },
  };
}
