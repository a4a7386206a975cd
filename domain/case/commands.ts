import { z } from 'zod';
import { shared } from '../shared';
import { RuleSetId } from '../rules';
import { councilSchema } from '../council';
import { ROLES } from './actors';

/*
 * Commands (imperative) of one product's OCOP case. One zod schema per command is the single definition the API,
 * the workflow and the decider share; every string is bounded so a command always fits in a workflow payload.
 */

/** The kind of evaluation a dossier asks for (Form 01 tick-box: lần đầu / nâng hạng / đánh giá lại). */
export const DossierKind = { First: 'first', Upgrade: 'upgrade', ReRating: 're_rating' } as const;
export type DossierKind = (typeof DossierKind)[keyof typeof DossierKind];
/** Grounds for revocation, Art. 8.1 QĐ 26/2026 (a)–(e); `dd` is point đ. */
export const RevocationGround = { A: 'a', B: 'b', C: 'c', D: 'd', DD: 'dd', E: 'e' } as const;
export type RevocationGround = (typeof RevocationGround)[keyof typeof RevocationGround];
/** Which authority recognised a star: a district (QĐ 148/2023 3★ only), a province, or the Ministry. */
export const RecognitionLevel = { District: 'district', Province: 'province', Ministry: 'ministry' } as const;
export type RecognitionLevel = (typeof RecognitionLevel)[keyof typeof RecognitionLevel];
/** The subject's legal form (loại hình chủ thể, Art. 3 QĐ 26/2026): what plans count as cooperatives or enterprises. */
export const LegalForm = {
  Cooperative: 'cooperative',
  CooperativeGroup: 'cooperative_group',
  Company: 'company',
  Household: 'household',
} as const;
export type LegalForm = (typeof LegalForm)[keyof typeof LegalForm];
/** Where the subject sells the product (kênh phân phối), as Form 02 asks. */
export const SalesChannel = {
  LocalMarket: 'local_market',
  OwnStore: 'own_store',
  Supermarket: 'supermarket',
  Distributor: 'distributor',
  Ecommerce: 'ecommerce',
  Export: 'export',
} as const;
export type SalesChannel = (typeof SalesChannel)[keyof typeof SalesChannel];
/** The subject's facts the programme's plans count, captured at registration and updated with each dossier. */
export interface SubjectFacts {
  legalForm: LegalForm;
  /** A small or medium enterprise (doanh nghiệp nhỏ và vừa); only a company can be one. */
  sme?: boolean | undefined;
  salesChannels?: SalesChannel[] | undefined;
  /** Linked in a value chain (liên kết chuỗi giá trị) with its suppliers of raw materials. */
  valueChainLinked?: boolean | undefined;
  /** Households linked with the subject in that chain. */
  linkedHouseholds?: number | undefined;
}

function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  // Year 0000 is no year in PostgreSQL's calendar (1 BC is followed by AD 1), so no record could hold it.
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= (days[m - 1] ?? 0);
}

/**
 * Every schema of this module, built once per realm and shared by the workflows of a worker (domain/shared.ts).
 */
const schemas = shared('domain/case/commands', () => {
  const code = z.string().trim().min(1).max(64);
  const ref = z.string().trim().min(1).max(200);
  const text = z.string().trim().min(1).max(2000);
  const optionalText = z.string().trim().max(2000).optional();

  /** A calendar date in Vietnam (YYYY-MM-DD), e.g. an issue date printed on a certificate. */
  const localDateSchema = z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
    .refine(isCalendarDate, 'not a calendar date');
  /** An ISO-8601 UTC instant, e.g. `2026-06-01T03:00:00.000Z`. */
  const instantSchema = z.iso.datetime();
  const starSchema = z.literal([1, 2, 3, 4, 5]);
  const certifiedStarSchema = z.literal([3, 4, 5]);
  const ruleSetIdSchema = z.enum(RuleSetId);

  const dossierKindSchema = z.enum(DossierKind);

  const revocationGroundSchema = z.enum(RevocationGround);

  const recognitionLevelSchema = z.enum(RecognitionLevel);

  /** A council's result as the scoring module computes it; the decider only checks it against the band. */
  const councilResultSchema = z.object({
    averageScore: z.number().min(0).max(100),
    star: starSchema,
    knockOut: z.object({ ground: code, reason: text }).nullable(),
    sheetCode: code,
    memberCount: z.number().int().min(1).max(50),
    /** Why the star is below the band (a starred minimum not met), as the scoring module reports it. */
    lowered: z
      .object({
        from: starSchema,
        to: starSchema.optional(),
        reason: z.string().trim().max(2000).optional(),
        /** As domain/scoring reports them; kept as given, bounded in number. */
        unmetMinimums: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
      })
      .nullable()
      .optional(),
    /** Re-rating councils decide by written opinion (lấy ý kiến bằng văn bản) unless views diverge. */
    writtenOpinion: z.boolean().optional(),
  });

  const subjectFactsSchema = z
    .object({
      legalForm: z.enum(LegalForm),
      sme: z.boolean().optional(),
      salesChannels: z
        .array(z.enum(SalesChannel))
        .max(6)
        .refine(
          (a) => new Set(a).size === a.length,
          'một kênh phân phối được ghi hai lần / a sales channel is named twice',
        )
        .optional(),
      valueChainLinked: z.boolean().optional(),
      linkedHouseholds: z.number().int().min(0).max(1_000_000).optional(),
    })
    .refine((f) => f.sme !== true || f.legalForm === 'company', {
      message:
        'chỉ doanh nghiệp (legalForm "company") mới là doanh nghiệp nhỏ và vừa / ' +
        'only a company (legalForm "company") can be a small or medium enterprise',
      path: ['sme'],
    });

  const places = {
    provinceCode: code,
    communeCode: code,
    /** Only for places before 01/07/2025, when districts existed. */
    districtCode: code.optional(),
  };

  /** Register a product idea (đăng ký ý tưởng sản phẩm) at the commune; opens the case. */
  const registerIdeaData = z.object({
    productId: code,
    subjectId: code,
    subjectName: z.string().trim().min(1).max(300),
    productName: z.string().trim().min(1).max(300),
    /** Product set (bộ sản phẩm) code of Annex I, which selects the score sheet. */
    productSetCode: code,
    ...places,
    ideaSummary: optionalText,
    /** Legal form, sales channels, value-chain links: what the plans count (updated with each dossier). */
    subjectFacts: subjectFactsSchema.optional(),
  });
  const acceptIdeaData = z.object({ note: optionalText });
  const returnIdeaData = z.object({ reason: text });
  const reviseIdeaData = z.object({ ideaSummary: text });
  /** Business plan (phương án / dự án sản xuất kinh doanh). */
  const submitBusinessPlanData = z.object({ planRef: ref, summary: optionalText });
  const approveBusinessPlanData = z.object({ note: optionalText });
  const returnBusinessPlanData = z.object({ reason: text });
  /** Product dossier (hồ sơ sản phẩm): Form 01 + Form 02, filed at the commune. */
  const submitDossierData = z.object({
    kind: dossierKindSchema,
    dossierRef: ref,
    /** Self-assessed score of Form 02 part III. */
    selfAssessedScore: z.number().min(0).max(100).optional(),
    sampleCount: z.number().int().min(0).max(100).optional(),
    /** The subject's facts as this dossier states them; they replace the ones recorded before. */
    subjectFacts: subjectFactsSchema.optional(),
  });
  /** Return an incomplete dossier for completion (trả hồ sơ để hoàn thiện), with a date to complete it by. */
  const returnDossierForCompletionData = z.object({
    reason: text,
    missing: z.array(z.string().trim().min(1).max(300)).max(50).default([]),
    completeBy: localDateSchema,
  });
  const completeDossierData = z.object({ dossierRef: ref, note: optionalText });
  const assessment = z.enum(['meets', 'partly', 'does_not_meet']);
  /** The commune's report, Form 03 (Mẫu số 03): the four local criteria of Art. 7.2a. */
  const assessDossierAtCommuneData = z.object({
    localRawMaterials: assessment,
    localLabour: assessment,
    ideaOrigin: z.enum(['traditional', 'new', 'adapted']),
    localIdentity: assessment,
    reportRef: ref,
    proposal: optionalText,
  });
  /** Forward the dossier, letter and 5 samples to the province (văn bản đề nghị UBND cấp tỉnh). */
  const forwardDossierToProvinceData = z.object({
    letterRef: ref,
    sampleCount: z.number().int().min(0).max(100).optional(),
  });
  /** Put the dossier in the provincial round its forwarding date falls in (đợt đánh giá). */
  const assignToProvincialRoundData = z.object({
    /** The province's own label for the round; the round itself follows from the cut-off dates. */
    roundLabel: z.string().trim().max(100).optional(),
    /** For rule-sets without a fixed calendar, the date the province's plan sets for the decision. */
    decideBy: localDateSchema.optional(),
    /**
     * The province's round to join (round:<province>:<year>:<1|2>); by default the one the forwarding date falls in.
     * Either way it must be open and the dossier forwarded before its cut-off.
     */
    roundId: z
      .string()
      .regex(/^round:[\w-]{1,64}:\d{4}:[12]$/, 'expected round:<province>:<year>:<1|2>')
      .optional(),
  });
  /** The advisory team (Tổ tư vấn) asks for more evidence (đề xuất bổ sung hồ sơ). */
  const requestMoreEvidenceData = z.object({
    items: z.array(z.string().trim().min(1).max(300)).min(1).max(50),
    dueDate: localDateSchema,
  });
  const submitEvidenceData = z.object({ evidenceRefs: z.array(ref).min(1).max(50), note: optionalText });
  /** Site visit (khảo sát thực tế tại cơ sở). */
  const recordSiteVisitData = z.object({ visitedOn: localDateSchema, findings: text });
  /** Extra lab test (kiểm nghiệm bổ sung). */
  const recordLabTestData = z.object({
    laboratory: z.string().trim().min(1).max(300),
    reportRef: ref,
    testedOn: localDateSchema,
    passed: z.boolean(),
  });
  const recordCouncilResultData = councilResultSchema;
  /** The provincial council (Hội đồng) that scores this dossier online, and its score sheet (Annex II). */
  const conveneCouncilData = z.object({
    /** Product-set code of the score sheet (domain/scoring), e.g. `fresh-produce`. */
    sheetCode: code,
    /** The council's seats; by default the council the province opened the dossier's round with. */
    members: councilSchema.optional(),
    /** Submissions the chair needs to close; more than half of the scoring members by default. */
    quorum: z.number().int().min(1).max(50).optional(),
  });
  /** One council member's score sheet: one option per criterion (phiếu chấm điểm). */
  const submitCouncilScoresData = z.object({
    selections: z
      .array(
        z.object({
          criterionId: code,
          optionId: code,
          note: z.string().trim().max(500).optional(),
        }),
      )
      .min(1)
      .max(200),
  });
  /** The chair closes scoring with a quorum, naming any knock-out ground the council found. */
  const closeCouncilData = z.object({
    knockOuts: z
      .array(z.object({ groundId: code, finding: z.string().trim().max(1000).optional() }))
      .max(20)
      .optional(),
  });
  /** The province approves a potential 5★ result and sends the dossier to the Ministry (Art. 7.3e, 6.3). */
  const sendToMinistryData = z.object({ letterRef: ref, approvalDecisionRef: ref });
  const recordCentralCouncilResultData = councilResultSchema;
  /** The recognition decision (quyết định công nhận). */
  const decideRecognitionData = z.object({ star: certifiedStarSchema, decisionNumber: ref });
  /** The certificate (giấy chứng nhận); its dates follow from the issue day and the rule-set. */
  const issueCertificateData = z.object({ certificateNumber: ref });
  /** A competent authority's conclusion opens a revocation (thu hồi) that must be decided within 15 days. */
  const proposeRevocationData = z.object({
    ground: revocationGroundSchema,
    concludedOn: localDateSchema,
    finding: text,
  });
  const revokeCertificateData = z.object({
    ground: revocationGroundSchema,
    concludedOn: localDateSchema,
    decisionNumber: ref,
    reason: text,
  });
  const dismissRevocationData = z.object({ reason: text });
  /** The subject withdraws the current application (rút hồ sơ); a held certificate is kept. */
  const withdrawDossierData = z.object({ reason: text });
  /** Migrate a paper case: a product already certified, with its historical certificate. */
  const importCertifiedProductData = registerIdeaData.omit({ ideaSummary: true }).extend({
    ruleSetId: ruleSetIdSchema,
    certificate: z.object({
      number: ref,
      star: certifiedStarSchema,
      level: recognitionLevelSchema,
      issuedOn: localDateSchema,
      expiresOn: localDateSchema,
      decisionNumber: ref.optional(),
      /** The issuing district or province code as printed (may be a pre-2025 code). */
      issuedBy: code.optional(),
    }),
    /**
     * A re-rating dossier (hồ sơ đánh giá lại) already filed for this certificate on paper and forwarded to the
     * province: the case arrives with its re-rating under way (Art. 7.6; Art. 12.3 where it applies).
     */
    reRatingDossier: z
      .object({
        dossierRef: ref,
        filedOn: localDateSchema,
        forwardedOn: localDateSchema,
        /** The commune's forwarding letter; the dossier's reference when absent. */
        letterRef: ref.optional(),
      })
      .optional(),
    source: z.string().trim().max(200).optional(),
  });
  /**
   * Migrate a dossier already under evaluation on paper (hồ sơ đang đánh giá): filed at the commune and forwarded to the
   * province before the migration. It is judged by the rule-set in force when it was filed (Art. 12.2 QĐ 26/2026).
   */
  const importDossierInProgressData = registerIdeaData.omit({ ideaSummary: true }).extend({
    dossier: z.object({
      dossierRef: ref,
      filedOn: localDateSchema,
      forwardedOn: localDateSchema,
    }),
    source: z.string().trim().max(200).optional(),
  });
  /** Re-home a case after the 2025 merger of provinces and communes; the old places stay in history. */
  const updatePlacesData = z.object({
    ...places,
    reason: text,
    /**
     * To move the case somewhere that does not succeed its old places under the 2025 arrangement (a product that
     * really moved), the reason for that.
     */
    override: z.object({ reason: text }).optional(),
  });

  const empty = z.object({}).strict().default({});

  const commandSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('RegisterIdea'), data: registerIdeaData }),
    z.object({ type: z.literal('AcceptIdea'), data: acceptIdeaData }),
    z.object({ type: z.literal('ReturnIdea'), data: returnIdeaData }),
    z.object({ type: z.literal('ReviseIdea'), data: reviseIdeaData }),
    z.object({ type: z.literal('SubmitBusinessPlan'), data: submitBusinessPlanData }),
    z.object({ type: z.literal('ApproveBusinessPlan'), data: approveBusinessPlanData }),
    z.object({ type: z.literal('ReturnBusinessPlan'), data: returnBusinessPlanData }),
    z.object({ type: z.literal('SubmitDossier'), data: submitDossierData }),
    z.object({ type: z.literal('ReturnDossierForCompletion'), data: returnDossierForCompletionData }),
    z.object({ type: z.literal('CompleteDossier'), data: completeDossierData }),
    z.object({ type: z.literal('AssessDossierAtCommune'), data: assessDossierAtCommuneData }),
    z.object({ type: z.literal('ForwardDossierToProvince'), data: forwardDossierToProvinceData }),
    z.object({ type: z.literal('AssignToProvincialRound'), data: assignToProvincialRoundData }),
    z.object({ type: z.literal('RequestMoreEvidence'), data: requestMoreEvidenceData }),
    z.object({ type: z.literal('SubmitEvidence'), data: submitEvidenceData }),
    z.object({ type: z.literal('RecordSiteVisit'), data: recordSiteVisitData }),
    z.object({ type: z.literal('RecordLabTest'), data: recordLabTestData }),
    z.object({ type: z.literal('RecordCouncilResult'), data: recordCouncilResultData }),
    z.object({ type: z.literal('ConveneCouncil'), data: conveneCouncilData }),
    z.object({ type: z.literal('SubmitCouncilScores'), data: submitCouncilScoresData }),
    z.object({ type: z.literal('CloseCouncil'), data: closeCouncilData }),
    z.object({ type: z.literal('SendToMinistry'), data: sendToMinistryData }),
    z.object({ type: z.literal('RecordCentralCouncilResult'), data: recordCentralCouncilResultData }),
    z.object({ type: z.literal('DecideRecognition'), data: decideRecognitionData }),
    z.object({ type: z.literal('IssueCertificate'), data: issueCertificateData }),
    z.object({ type: z.literal('ProposeRevocation'), data: proposeRevocationData }),
    z.object({ type: z.literal('RevokeCertificate'), data: revokeCertificateData }),
    z.object({ type: z.literal('DismissRevocation'), data: dismissRevocationData }),
    z.object({ type: z.literal('WithdrawDossier'), data: withdrawDossierData }),
    z.object({ type: z.literal('ImportCertifiedProduct'), data: importCertifiedProductData }),
    z.object({ type: z.literal('ImportDossierInProgress'), data: importDossierInProgressData }),
    z.object({ type: z.literal('UpdatePlaces'), data: updatePlacesData }),
    // Issued by the workflow when a deadline elapses (actor SYSTEM_ACTOR, now = the deadline).
    z.object({ type: z.literal('MarkCommuneCheckOverdue'), data: empty }),
    z.object({ type: z.literal('LapseDossier'), data: empty }),
    z.object({ type: z.literal('MarkEvidenceOverdue'), data: empty }),
    z.object({ type: z.literal('MarkDecisionOverdue'), data: empty }),
    z.object({ type: z.literal('OpenReRatingWindow'), data: empty }),
    z.object({ type: z.literal('CloseReRatingWindow'), data: empty }),
    z.object({ type: z.literal('ExpireCertificate'), data: empty }),
    z.object({ type: z.literal('MarkRevocationOverdue'), data: empty }),
  ]);

  const roleSchema = z.enum(ROLES);
  const actorSchema = z.object({ userId: code, role: roleSchema, office: code });
  const commandMetaSchema = z.object({
    now: instantSchema,
    actor: actorSchema,
    legacyReadings: z.literal(true).optional(),
  });
  return {
    localDateSchema,
    instantSchema,
    starSchema,
    certifiedStarSchema,
    ruleSetIdSchema,
    dossierKindSchema,
    revocationGroundSchema,
    recognitionLevelSchema,
    councilResultSchema,
    registerIdeaData,
    acceptIdeaData,
    returnIdeaData,
    reviseIdeaData,
    submitBusinessPlanData,
    approveBusinessPlanData,
    returnBusinessPlanData,
    submitDossierData,
    returnDossierForCompletionData,
    completeDossierData,
    assessDossierAtCommuneData,
    forwardDossierToProvinceData,
    assignToProvincialRoundData,
    requestMoreEvidenceData,
    submitEvidenceData,
    recordSiteVisitData,
    recordLabTestData,
    recordCouncilResultData,
    conveneCouncilData,
    submitCouncilScoresData,
    closeCouncilData,
    sendToMinistryData,
    recordCentralCouncilResultData,
    decideRecognitionData,
    issueCertificateData,
    proposeRevocationData,
    revokeCertificateData,
    dismissRevocationData,
    withdrawDossierData,
    importCertifiedProductData,
    importDossierInProgressData,
    updatePlacesData,
    commandSchema,
    roleSchema,
    actorSchema,
    commandMetaSchema,
  };
});

export const {
  localDateSchema,
  instantSchema,
  starSchema,
  certifiedStarSchema,
  ruleSetIdSchema,
  dossierKindSchema,
  revocationGroundSchema,
  recognitionLevelSchema,
  councilResultSchema,
  registerIdeaData,
  acceptIdeaData,
  returnIdeaData,
  reviseIdeaData,
  submitBusinessPlanData,
  approveBusinessPlanData,
  returnBusinessPlanData,
  submitDossierData,
  returnDossierForCompletionData,
  completeDossierData,
  assessDossierAtCommuneData,
  forwardDossierToProvinceData,
  assignToProvincialRoundData,
  requestMoreEvidenceData,
  submitEvidenceData,
  recordSiteVisitData,
  recordLabTestData,
  recordCouncilResultData,
  conveneCouncilData,
  submitCouncilScoresData,
  closeCouncilData,
  sendToMinistryData,
  recordCentralCouncilResultData,
  decideRecognitionData,
  issueCertificateData,
  proposeRevocationData,
  revokeCertificateData,
  dismissRevocationData,
  withdrawDossierData,
  importCertifiedProductData,
  importDossierInProgressData,
  updatePlacesData,
  commandSchema,
  roleSchema,
  actorSchema,
  commandMetaSchema,
} = schemas;

export type CouncilResult = z.infer<typeof councilResultSchema>;
/** What callers build (defaults may be omitted). */
export type CommandInput = z.input<typeof commandSchema>;
/** What the decider receives, after validation. */
export type Command = z.output<typeof commandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
/** Commands only the workflow issues, when a deadline elapses. */
export const SYSTEM_COMMANDS = [
  'MarkCommuneCheckOverdue',
  'LapseDossier',
  'MarkEvidenceOverdue',
  'MarkDecisionOverdue',
  'OpenReRatingWindow',
  'CloseReRatingWindow',
  'ExpireCertificate',
  'MarkRevocationOverdue',
] as const satisfies readonly CommandType[];
export type SystemCommandType = (typeof SYSTEM_COMMANDS)[number];

export const COMMAND_TYPES = commandSchema.options.map((o) => o.shape.type.value) as readonly CommandType[];

/** Parse untrusted input into a command, throwing zod's error on bad input. */
export function parseCommand(input: unknown): Command {
  return commandSchema.parse(input);
}
