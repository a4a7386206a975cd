import type { CommandInput } from '../domain';
import { allCriteria, getSheet } from '../domain/scoring';
import { commandTypeOf, DOSSIER_ALIASES, type CaseCommandType } from './routes/commands';

/** One option per criterion of a sheet (the first printed): a complete, valid score sheet for examples. */
export function firstOptions(sheetCode: string): { criterionId: string; optionId: string }[] {
  return allCriteria(getSheet(sheetCode)).map((c) => ({ criterionId: c.id, optionId: c.options[0]!.id }));
}

type DataOf<K extends CommandInput['type']> = Extract<CommandInput, { type: K }>['data'];

/**
 * A valid body for every case command, shown in the OpenAPI document. Dates that must lie ahead are far in the
 * future and dates that must lie behind are in the past, so the examples stay valid as time passes.
 */
export const COMMAND_EXAMPLES: { readonly [K in CaseCommandType]: DataOf<K> } = {
  AcceptIdea: { note: 'Ý tưởng phù hợp định hướng của xã' },
  ReturnIdea: { reason: 'Ý tưởng chưa rõ vùng nguyên liệu' },
  ReviseIdea: { ideaSummary: 'Chè búp sấy khô, vùng nguyên liệu Tân Cương' },
  SubmitBusinessPlan: { planRef: 'PA-2026-01', summary: 'Phương án sản xuất kinh doanh 2026–2028' },
  ApproveBusinessPlan: { note: 'Phương án khả thi' },
  ReturnBusinessPlan: { reason: 'Thiếu phương án tiêu thụ' },
  SubmitDossier: { kind: 'first', dossierRef: 'HS-2026-01', selfAssessedScore: 74, sampleCount: 5 },
  ReturnDossierForCompletion: {
    reason: 'Thiếu phiếu kiểm nghiệm',
    missing: ['Phiếu kiểm nghiệm chỉ tiêu an toàn thực phẩm'],
    completeBy: '2099-12-31',
  },
  CompleteDossier: { dossierRef: 'HS-2026-01-bs', note: 'Đã bổ sung phiếu kiểm nghiệm' },
  AssessDossierAtCommune: {
    localRawMaterials: 'meets',
    localLabour: 'meets',
    ideaOrigin: 'traditional',
    localIdentity: 'partly',
    reportRef: 'BC-03-2026',
    proposal: 'Đề nghị cấp tỉnh đánh giá, phân hạng',
  },
  ForwardDossierToProvince: { letterRef: 'CV-125-UBND', sampleCount: 5 },
  AssignToProvincialRound: { roundLabel: 'Đợt 1' },
  RequestMoreEvidence: { items: ['Hợp đồng liên kết vùng nguyên liệu'], dueDate: '2099-12-31' },
  SubmitEvidence: { evidenceRefs: ['HD-LK-01'], note: 'Hợp đồng liên kết đã ký' },
  RecordSiteVisit: { visitedOn: '2026-01-15', findings: 'Cơ sở sản xuất đạt yêu cầu' },
  RecordLabTest: { laboratory: 'Quatest 1', reportRef: 'KN-2026-7', testedOn: '2026-01-15', passed: true },
  RecordCouncilResult: { averageScore: 76.5, star: 4, knockOut: null, sheetCode: 'tea', memberCount: 9 },
  ConveneCouncil: {
    sheetCode: 'honey-other-raw-foods',
    members: [
      { memberId: 'council-chair-01', role: 'chair' },
      { memberId: 'council-member-02', role: 'member' },
      { memberId: 'council-secretary-03', role: 'secretary' },
    ],
    quorum: 1,
  },
  SubmitCouncilScores: { selections: firstOptions('honey-other-raw-foods') },
  CloseCouncil: {},
  SendToMinistry: { letterRef: 'CV-UBND-55', approvalDecisionRef: 'QD-PD-55' },
  RecordCentralCouncilResult: { averageScore: 91, star: 5, knockOut: null, sheetCode: 'tea', memberCount: 11 },
  DecideRecognition: { star: 4, decisionNumber: 'QD-1234-UBND' },
  IssueCertificate: { certificateNumber: 'GCN-OCOP-2026-001' },
  ProposeRevocation: { ground: 'b', concludedOn: '2026-01-15', finding: 'Kết luận kiểm tra: không còn đáp ứng' },
  RevokeCertificate: { ground: 'b', concludedOn: '2026-01-15', decisionNumber: 'QD-TH-01', reason: 'Theo kết luận' },
  DismissRevocation: { reason: 'Chủ thể đã khắc phục' },
  WithdrawDossier: { reason: 'Ngừng sản xuất' },
  UpdatePlaces: { provinceCode: '19', communeCode: '05443', reason: 'Sắp xếp đơn vị hành chính 2025' },
};

/** The example body of a command route, by its URL template; undefined for other routes. */
export function exampleFor(url: string): unknown {
  const type = commandTypeOf(url);
  if (type) return COMMAND_EXAMPLES[type];
  if (DOSSIER_ALIASES.some((a) => a.path === url)) {
    const { kind: _kind, ...rest } = COMMAND_EXAMPLES.SubmitDossier;
    return rest;
  }
  return undefined;
}
