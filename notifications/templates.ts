import type { Notice, NoticeKind } from '../domain/notifications';

/*
 * One template per notice kind, in Vietnamese and English. A message is written in the recipient's language and
 * carries the other one below it as a fallback, as text and as HTML (every fact escaped).
 */

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface RenderedNotice {
  language: Language;
  /** The title (e-mail subject, inbox title) in the recipient's language. */
  subject: string;
  text: string;
  html: string;
}

type Facts = Notice['facts'];
interface Part {
  title: string;
  lines: string[];
}
type Template = (f: Facts, t: Fmt) => Part;

interface Fmt {
  /** A fact as text; `—` when absent. */
  s(key: string): string;
  /** A fact that is a date (YYYY-MM-DD), written the language's way. */
  d(key: string): string;
}

const VI_MONTHS = 'DD/MM/YYYY';
const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function formatDate(date: string, language: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  if (language === 'vi') return VI_MONTHS.replace('DD', d).replace('MM', mo).replace('YYYY', y);
  return `${Number(d)} ${EN_MONTHS[Number(mo) - 1] ?? mo} ${y}`;
}

const OUTCOME: Record<Language, Record<string, string>> = {
  vi: {
    knocked_out: 'hồ sơ bị loại',
    below_three_stars: 'kết quả dưới 3 sao',
    not_upgraded: 'không đạt hạng cao hơn',
    not_re_recognised: 'không được công nhận lại',
    lapsed: 'hồ sơ không được hoàn thiện đúng hạn',
  },
  en: {
    knocked_out: 'the dossier was rejected',
    below_three_stars: 'the result was below 3 stars',
    not_upgraded: 'the upgrade was not granted',
    not_re_recognised: 'the product was not re-recognised',
    lapsed: 'the dossier was not completed in time',
  },
};

const BY: Record<Language, Record<string, string>> = {
  vi: { commune: 'UBND cấp xã', province: 'cơ quan OCOP cấp tỉnh' },
  en: { commune: 'the commune', province: 'the provincial OCOP office' },
};

const VI: Record<NoticeKind, Template> = {
  dossier_returned: (f, t) => ({
    title: `Hồ sơ sản phẩm ${t.s('productName')} cần hoàn thiện trước ngày ${t.d('completeBy')}`,
    lines: [
      `Hồ sơ sản phẩm ${t.s('productName')} đã được ${BY.vi[String(f.returnedBy)] ?? t.s('returnedBy')} trả lại để hoàn thiện ngày ${t.d('returnedOn')}.`,
      `Lý do: ${t.s('reason')}`,
      `Cần bổ sung: ${t.s('missing')}`,
      `Hạn hoàn thiện: ${t.d('completeBy')}.`,
    ],
  }),
  evidence_requested: (_f, t) => ({
    title: `Yêu cầu bổ sung minh chứng cho sản phẩm ${t.s('productName')} trước ngày ${t.d('dueDate')}`,
    lines: [`Tổ tư vấn đề nghị bổ sung: ${t.s('items')}`, `Hạn nộp: ${t.d('dueDate')}.`],
  }),
  recognition_decided: (_f, t) => ({
    title: `Sản phẩm ${t.s('productName')} được công nhận đạt ${t.s('star')} sao OCOP`,
    lines: [
      `Quyết định công nhận số ${t.s('decisionNumber')} ngày ${t.d('decidedOn')}: sản phẩm ${t.s('productName')} đạt ${t.s('star')} sao (${t.s('score')} điểm).`,
      'Giấy chứng nhận sẽ được cấp theo quy định.',
    ],
  }),
  not_recognised: (f, t) => ({
    title: `Sản phẩm ${t.s('productName')} chưa được công nhận OCOP`,
    lines: [
      `Ngày ${t.d('on')}: ${OUTCOME.vi[String(f.outcome)] ?? t.s('outcome')}${f.star != null ? ` (${t.s('star')} sao)` : ''}.`,
      ...(f.reason != null ? [`Lý do: ${t.s('reason')}`] : []),
    ],
  }),
  certificate_issued: (f, t) => ({
    title: `Giấy chứng nhận OCOP số ${t.s('certificateNumber')} cho sản phẩm ${t.s('productName')}`,
    lines: [
      `Sản phẩm ${t.s('productName')} được cấp Giấy chứng nhận OCOP ${t.s('star')} sao số ${t.s('certificateNumber')} ngày ${t.d('issuedOn')}, có hiệu lực đến hết ngày ${t.d('expiresOn')}.`,
      ...(f.windowOpens != null
        ? [`Hồ sơ đánh giá lại nộp từ ngày ${t.d('windowOpens')} đến ngày ${t.d('windowCloses')}.`]
        : []),
    ],
  }),
  re_rating_window_opened: (_f, t) => ({
    title: `Đã đến thời hạn nộp hồ sơ đánh giá lại sản phẩm ${t.s('productName')}`,
    lines: [
      `Giấy chứng nhận số ${t.s('certificateNumber')} hết hạn ngày ${t.d('expiresOn')}.`,
      `Hồ sơ đánh giá lại nộp tại UBND cấp xã từ ngày ${t.d('opens')} đến hết ngày ${t.d('closes')}.`,
    ],
  }),
  re_rating_window_closing_soon: (_f, t) => ({
    title: `Sắp hết hạn nộp hồ sơ đánh giá lại sản phẩm ${t.s('productName')} (đến ngày ${t.d('closes')})`,
    lines: [
      `Thời hạn nộp hồ sơ đánh giá lại kết thúc ngày ${t.d('closes')}; giấy chứng nhận số ${t.s('certificateNumber')} hết hạn ngày ${t.d('expiresOn')}.`,
      `Hồ sơ nộp sau ngày ${t.d('closes')} không được tiếp nhận (điểm a khoản 6 Điều 7 Quyết định 26/2026/QĐ-TTg).`,
    ],
  }),
  re_rating_window_closed: (_f, t) => ({
    title: `Đã hết thời hạn nộp hồ sơ đánh giá lại sản phẩm ${t.s('productName')}`,
    lines: [
      `Thời hạn nộp hồ sơ đánh giá lại đã kết thúc ngày ${t.d('closes')}; hồ sơ đánh giá lại không còn được tiếp nhận (điểm a khoản 6 Điều 7 Quyết định 26/2026/QĐ-TTg).`,
      `Giấy chứng nhận số ${t.s('certificateNumber')} hết hiệu lực sau ngày ${t.d('expiresOn')}; sau đó sản phẩm có thể đăng ký đánh giá lần đầu.`,
    ],
  }),
  certificate_expiring_soon: (f, t) => ({
    title: `Giấy chứng nhận OCOP của sản phẩm ${t.s('productName')} hết hạn ngày ${t.d('expiresOn')}`,
    lines: [
      `Giấy chứng nhận số ${t.s('certificateNumber')} (${t.s('star')} sao) còn ${t.s('daysLeft')} ngày hiệu lực, đến hết ngày ${t.d('expiresOn')}.`,
      ...(f.extensionUntil != null
        ? [
            `Theo khoản 3 Điều 12 Quyết định 26/2026/QĐ-TTg, hồ sơ đánh giá lại nộp trước ngày hết hạn giữ giấy chứng nhận có hiệu lực đến khi có kết quả, nhưng không quá ngày ${t.d('extensionUntil')}.`,
          ]
        : []),
    ],
  }),
  certificate_extended: (_f, t) => ({
    title: `Giấy chứng nhận OCOP của sản phẩm ${t.s('productName')} tiếp tục có hiệu lực đến khi có kết quả đánh giá lại`,
    lines: [
      `Giấy chứng nhận số ${t.s('certificateNumber')} hết thời hạn ngày ${t.d('expiresOn')} nhưng tiếp tục có hiệu lực đến ngày có kết quả đánh giá lại, không quá ngày ${t.d('extendedUntil')} (khoản 3 Điều 12 Quyết định 26/2026/QĐ-TTg).`,
    ],
  }),
  certificate_expired: (_f, t) => ({
    title: `Giấy chứng nhận OCOP của sản phẩm ${t.s('productName')} đã hết hiệu lực`,
    lines: [`Giấy chứng nhận số ${t.s('certificateNumber')} đã hết hiệu lực ngày ${t.d('endedOn')}.`],
  }),
  certificate_revoked: (_f, t) => ({
    title: `Giấy chứng nhận OCOP của sản phẩm ${t.s('productName')} đã bị thu hồi`,
    lines: [
      `Quyết định thu hồi số ${t.s('decisionNumber')} ngày ${t.d('revokedOn')}, căn cứ điểm ${t.s('ground')}: ${t.s('reason')}.`,
      `Giấy chứng nhận số ${t.s('certificateNumber')} không còn hiệu lực.`,
    ],
  }),
  dossier_received: (_f, t) => ({
    title: `Tiếp nhận hồ sơ sản phẩm ${t.s('productName')}: hạn xử lý đến ngày ${t.d('communeDue')}`,
    lines: [
      `Hồ sơ ${t.s('dossierRef')} tiếp nhận ngày ${t.d('receivedOn')}.`,
      `UBND cấp xã kiểm tra, đánh giá (Mẫu số 03) và gửi cấp tỉnh trong 15 ngày làm việc, đến hết ngày ${t.d('communeDue')}.`,
    ],
  }),
  commune_check_reminder: (_f, t) => ({
    title: `Còn ${t.s('workingDaysLeft')} ngày làm việc để xử lý hồ sơ sản phẩm ${t.s('productName')}`,
    lines: [
      `Hồ sơ ${t.s('dossierRef')} tiếp nhận ngày ${t.d('receivedOn')} phải được gửi cấp tỉnh đến hết ngày ${t.d('communeDue')}.`,
    ],
  }),
  commune_check_overdue: (_f, t) => ({
    title: `Quá hạn xử lý hồ sơ sản phẩm ${t.s('productName')}`,
    lines: [`Hạn kiểm tra và gửi cấp tỉnh là ngày ${t.d('communeDue')}.`],
  }),
  dossier_waiting: (f, t) => ({
    title: `Hồ sơ sản phẩm ${t.s('productName')} chờ cấp tỉnh đánh giá`,
    lines: [
      `Hồ sơ của xã ${t.s('communeCode')} chờ từ ngày ${t.d('since')}.`,
      ...(f.decisionDue != null ? [`Hạn quyết định: ${t.d('decisionDue')}.`] : []),
    ],
  }),
  round_cut_off_approaching: (_f, t) => ({
    title: `Sắp chốt đợt ${t.s('round')} năm ${t.s('year')}: hồ sơ sản phẩm ${t.s('productName')} còn ở cấp xã`,
    lines: [
      `Hồ sơ gửi cấp tỉnh trước ngày ${t.d('cutOff')} được đánh giá trong đợt ${t.s('round')}.`,
      `Hồ sơ tiếp nhận tại xã ${t.s('communeCode')} ngày ${t.d('receivedOn')} chưa được gửi.`,
    ],
  }),
  central_cut_off_approaching: (_f, t) => ({
    title: `Sắp chốt đợt đánh giá cấp trung ương: sản phẩm tiềm năng 5 sao ${t.s('productName')}`,
    lines: [
      `Sản phẩm đạt ${t.s('score')} điểm; hồ sơ gửi Bộ trước ngày ${t.d('cutOff')} được đánh giá trong đợt ${t.s('round')}.`,
    ],
  }),
  decision_due_soon: (_f, t) => ({
    title: `Sắp đến hạn quyết định đối với sản phẩm ${t.s('productName')} (${t.d('decisionDue')})`,
    lines: [`Hạn quyết định công nhận là ngày ${t.d('decisionDue')}.`],
  }),
  decision_overdue: (_f, t) => ({
    title: `Quá hạn quyết định đối với sản phẩm ${t.s('productName')}`,
    lines: [`Hạn quyết định công nhận là ngày ${t.d('decisionDue')}.`],
  }),
  revocation_due_soon: (_f, t) => ({
    title: `Sắp đến hạn quyết định thu hồi giấy chứng nhận sản phẩm ${t.s('productName')} (${t.d('decideBy')})`,
    lines: [
      `Kết luận ngày ${t.d('concludedOn')} (điểm ${t.s('ground')}); phải quyết định trong 15 ngày, đến hết ngày ${t.d('decideBy')}.`,
    ],
  }),
  revocation_overdue: (_f, t) => ({
    title: `Quá hạn quyết định thu hồi giấy chứng nhận sản phẩm ${t.s('productName')}`,
    lines: [`Hạn quyết định là ngày ${t.d('decideBy')}.`],
  }),
  potential_five_star_received: (_f, t) => ({
    title: `Tiếp nhận hồ sơ sản phẩm tiềm năng 5 sao: ${t.s('productName')} (${t.s('score')} điểm)`,
    lines: [
      `Tỉnh ${t.s('provinceCode')} gửi hồ sơ ngày ${t.d('sentOn')} (văn bản ${t.s('letterRef')}).`,
      `Hạn quyết định của đợt trung ương: ${t.d('decideBy')}.`,
    ],
  }),
  programme_idle_commune: (f, t) => ({
    title: `Năm ${t.s('year')}: ${t.s('communeName')} chưa có sản phẩm nào trong chu trình OCOP`,
    lines: [
      `${t.s('communeName')} chưa có ý tưởng hay hồ sơ sản phẩm OCOP nào đang thực hiện trong năm ${t.s('year')}.`,
      f.nextCutOff != null
        ? `Hồ sơ chuyển cấp tỉnh trước ngày ${t.d('nextCutOff')} được đánh giá trong đợt ${t.s('nextRound')} năm ${t.s('nextRoundYear')}; đề nghị UBND xã hướng dẫn các chủ thể đăng ký.`
        : 'Đề nghị UBND xã hướng dẫn các chủ thể đăng ký ý tưởng sản phẩm theo kế hoạch của tỉnh.',
    ],
  }),
  programme_report: (f, t) => ({
    title: `Báo cáo ${f.point === 'mid_year' ? '6 tháng đầu năm' : 'năm'} ${t.s('year')} chương trình OCOP ${t.s('provinceName')}`,
    lines: [
      `Đến hết ngày ${t.d('asOf')}, ${t.s('provinceName')} có ${t.s('total')} sản phẩm OCOP còn hiệu lực, trong đó ${t.s('star5')} sản phẩm 5 sao, ${t.s('star4')} sản phẩm 4 sao, ${t.s('star3')} sản phẩm 3 sao.`,
      ...(f.planSentence != null
        ? [`Kế hoạch: ${t.s('planSentence')}.`]
        : ['Tỉnh chưa ban hành kế hoạch OCOP cho năm này.']),
    ],
  }),
};

const EN: Record<NoticeKind, Template> = {
  dossier_returned: (f, t) => ({
    title: `The dossier for ${t.s('productName')} must be completed by ${t.d('completeBy')}`,
    lines: [
      `The dossier for ${t.s('productName')} was returned for completion by ${BY.en[String(f.returnedBy)] ?? t.s('returnedBy')} on ${t.d('returnedOn')}.`,
      `Reason: ${t.s('reason')}`,
      `Missing: ${t.s('missing')}`,
      `Complete it by ${t.d('completeBy')}.`,
    ],
  }),
  evidence_requested: (_f, t) => ({
    title: `More evidence requested for ${t.s('productName')} by ${t.d('dueDate')}`,
    lines: [`The advisory team asks for: ${t.s('items')}`, `Due: ${t.d('dueDate')}.`],
  }),
  recognition_decided: (_f, t) => ({
    title: `${t.s('productName')} recognised as a ${t.s('star')}-star OCOP product`,
    lines: [
      `Decision ${t.s('decisionNumber')} of ${t.d('decidedOn')}: ${t.s('productName')} is rated ${t.s('star')} stars (${t.s('score')} points).`,
      'The certificate will be issued.',
    ],
  }),
  not_recognised: (f, t) => ({
    title: `${t.s('productName')} was not recognised as an OCOP product`,
    lines: [
      `On ${t.d('on')}: ${OUTCOME.en[String(f.outcome)] ?? t.s('outcome')}${f.star != null ? ` (${t.s('star')} stars)` : ''}.`,
      ...(f.reason != null ? [`Reason: ${t.s('reason')}`] : []),
    ],
  }),
  certificate_issued: (f, t) => ({
    title: `OCOP certificate ${t.s('certificateNumber')} for ${t.s('productName')}`,
    lines: [
      `${t.s('productName')} holds ${t.s('star')}-star OCOP certificate ${t.s('certificateNumber')}, issued ${t.d('issuedOn')} and valid through ${t.d('expiresOn')}.`,
      ...(f.windowOpens != null
        ? [`File the re-rating dossier between ${t.d('windowOpens')} and ${t.d('windowCloses')}.`]
        : []),
    ],
  }),
  re_rating_window_opened: (_f, t) => ({
    title: `The re-rating window for ${t.s('productName')} is open`,
    lines: [
      `Certificate ${t.s('certificateNumber')} expires on ${t.d('expiresOn')}.`,
      `File the re-rating dossier at the commune from ${t.d('opens')} through ${t.d('closes')}.`,
    ],
  }),
  re_rating_window_closing_soon: (_f, t) => ({
    title: `The re-rating window for ${t.s('productName')} closes on ${t.d('closes')}`,
    lines: [
      `The re-rating window ends on ${t.d('closes')}; certificate ${t.s('certificateNumber')} expires on ${t.d('expiresOn')}.`,
      `A dossier filed after ${t.d('closes')} is refused (Decision 26/2026/QĐ-TTg, Art. 7.6a).`,
    ],
  }),
  re_rating_window_closed: (_f, t) => ({
    title: `The re-rating window for ${t.s('productName')} has closed`,
    lines: [
      `The re-rating window ended on ${t.d('closes')}; a re-rating dossier can no longer be filed (Decision 26/2026/QĐ-TTg, Art. 7.6a).`,
      `Certificate ${t.s('certificateNumber')} ceases to be valid after ${t.d('expiresOn')}; the product may then apply for a first evaluation.`,
    ],
  }),
  certificate_expiring_soon: (f, t) => ({
    title: `The OCOP certificate of ${t.s('productName')} expires on ${t.d('expiresOn')}`,
    lines: [
      `Certificate ${t.s('certificateNumber')} (${t.s('star')} stars) is valid for ${t.s('daysLeft')} more days, through ${t.d('expiresOn')}.`,
      ...(f.extensionUntil != null
        ? [
            `Under Art. 12.3 of Decision 26/2026/QĐ-TTg, a re-rating dossier filed before it expires keeps it valid until the result, at most through ${t.d('extensionUntil')}.`,
          ]
        : []),
    ],
  }),
  certificate_extended: (_f, t) => ({
    title: `The OCOP certificate of ${t.s('productName')} stays valid until the re-rating is decided`,
    lines: [
      `Certificate ${t.s('certificateNumber')} reached its expiry on ${t.d('expiresOn')} but stays valid until the re-rating result, at most through ${t.d('extendedUntil')} (Decision 26/2026/QĐ-TTg, Art. 12.3).`,
    ],
  }),
  certificate_expired: (_f, t) => ({
    title: `The OCOP certificate of ${t.s('productName')} has expired`,
    lines: [`Certificate ${t.s('certificateNumber')} ceased to be valid on ${t.d('endedOn')}.`],
  }),
  certificate_revoked: (_f, t) => ({
    title: `The OCOP certificate of ${t.s('productName')} was revoked`,
    lines: [
      `Revocation decision ${t.s('decisionNumber')} of ${t.d('revokedOn')}, ground (${t.s('ground')}): ${t.s('reason')}.`,
      `Certificate ${t.s('certificateNumber')} is no longer valid.`,
    ],
  }),
  dossier_received: (_f, t) => ({
    title: `Dossier for ${t.s('productName')} received: due ${t.d('communeDue')}`,
    lines: [
      `Dossier ${t.s('dossierRef')} was received on ${t.d('receivedOn')}.`,
      `The commune checks it (Form 03) and forwards it to the province within 15 working days, by ${t.d('communeDue')}.`,
    ],
  }),
  commune_check_reminder: (_f, t) => ({
    title: `${t.s('workingDaysLeft')} working days left for the dossier of ${t.s('productName')}`,
    lines: [
      `Dossier ${t.s('dossierRef')}, received on ${t.d('receivedOn')}, must be forwarded to the province by ${t.d('communeDue')}.`,
    ],
  }),
  commune_check_overdue: (_f, t) => ({
    title: `The commune check of ${t.s('productName')} is overdue`,
    lines: [`It was due on ${t.d('communeDue')}.`],
  }),
  dossier_waiting: (f, t) => ({
    title: `The dossier for ${t.s('productName')} waits for the province`,
    lines: [
      `From commune ${t.s('communeCode')}, waiting since ${t.d('since')}.`,
      ...(f.decisionDue != null ? [`Decision due: ${t.d('decisionDue')}.`] : []),
    ],
  }),
  round_cut_off_approaching: (_f, t) => ({
    title: `Round ${t.s('round')} of ${t.s('year')} closes soon: the dossier for ${t.s('productName')} is still at the commune`,
    lines: [
      `Dossiers forwarded before ${t.d('cutOff')} join round ${t.s('round')}.`,
      `Received by commune ${t.s('communeCode')} on ${t.d('receivedOn')}, not yet forwarded.`,
    ],
  }),
  central_cut_off_approaching: (_f, t) => ({
    title: `The central round closes soon: potential 5-star product ${t.s('productName')}`,
    lines: [
      `Scored ${t.s('score')} points; dossiers sent to the Ministry before ${t.d('cutOff')} join round ${t.s('round')}.`,
    ],
  }),
  decision_due_soon: (_f, t) => ({
    title: `A decision on ${t.s('productName')} is due on ${t.d('decisionDue')}`,
    lines: [`The recognition decision is due on ${t.d('decisionDue')}.`],
  }),
  decision_overdue: (_f, t) => ({
    title: `The decision on ${t.s('productName')} is overdue`,
    lines: [`It was due on ${t.d('decisionDue')}.`],
  }),
  revocation_due_soon: (_f, t) => ({
    title: `A revocation decision on ${t.s('productName')} is due on ${t.d('decideBy')}`,
    lines: [
      `Concluded on ${t.d('concludedOn')} (ground ${t.s('ground')}); the decision is due within 15 days, by ${t.d('decideBy')}.`,
    ],
  }),
  revocation_overdue: (_f, t) => ({
    title: `The revocation decision on ${t.s('productName')} is overdue`,
    lines: [`It was due on ${t.d('decideBy')}.`],
  }),
  potential_five_star_received: (_f, t) => ({
    title: `Potential 5-star dossier received: ${t.s('productName')} (${t.s('score')} points)`,
    lines: [
      `Sent by province ${t.s('provinceCode')} on ${t.d('sentOn')} (letter ${t.s('letterRef')}).`,
      `Central round decision due: ${t.d('decideBy')}.`,
    ],
  }),
  programme_idle_commune: (f, t) => ({
    title: `${t.s('year')}: ${t.s('communeName')} has no product in the OCOP cycle`,
    lines: [
      `${t.s('communeName')} has no OCOP idea or dossier in progress in ${t.s('year')}.`,
      f.nextCutOff != null
        ? `Dossiers forwarded to the province before ${t.d('nextCutOff')} are evaluated in round ${t.s('nextRound')} of ${t.s('nextRoundYear')}; please help subjects register.`
        : 'Please help subjects register product ideas under the province’s plan.',
    ],
  }),
  programme_report: (f, t) => ({
    title: `${f.point === 'mid_year' ? 'Mid-year' : 'Year-end'} ${t.s('year')} OCOP programme report, ${t.s('provinceName')}`,
    lines: [
      `As of ${t.d('asOf')}, ${t.s('provinceName')} has ${t.s('total')} OCOP products in force: ${t.s('star5')} at 5 stars, ${t.s('star4')} at 4 stars, ${t.s('star3')} at 3 stars.`,
      ...(f.planSentence != null
        ? [`Plan (Vietnamese): ${t.s('planSentence')}.`]
        : ['The province has adopted no OCOP plan for this year.']),
    ],
  }),
};

const TEMPLATES: Record<Language, Record<NoticeKind, Template>> = { vi: VI, en: EN };

const FOOTER: Record<Language, (key: string) => string> = {
  vi: (key) => `Thư tự động của hệ thống OCOP, vui lòng không trả lời. Mã thông báo: ${key}`,
  en: (key) => `Automatic message from the OCOP system; please do not reply. Notice: ${key}`,
};
const FALLBACK_HEADING: Record<Language, string> = { vi: 'Tiếng Việt', en: 'English' };

function part(notice: Notice, language: Language): Part {
  const fmt: Fmt = {
    s: (key) => {
      const v = notice.facts[key];
      return v == null || v === '' ? '—' : String(v);
    },
    d: (key) => {
      const v = notice.facts[key];
      return v == null ? '—' : formatDate(String(v), language);
    },
  };
  return TEMPLATES[language][notice.kind](notice.facts, fmt);
}

/** The message for one recipient: their language first, the other below it. */
export function renderNotice(notice: Notice, language: Language): RenderedNotice {
  const other: Language = language === 'vi' ? 'en' : 'vi';
  const first = part(notice, language);
  const second = part(notice, other);
  const text = [
    first.title,
    '',
    ...first.lines,
    '',
    `--- ${FALLBACK_HEADING[other]} ---`,
    '',
    second.title,
    '',
    ...second.lines,
    '',
    '--',
    FOOTER[language](notice.key),
    '',
  ].join('\n');
  const section = (p: Part, lang: Language) =>
    `<section lang="${lang}"><h1>${escapeHtml(p.title)}</h1>${p.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</section>`;
  const html =
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(first.title)}</title></head><body>` +
    section(first, language) +
    `<hr><p><strong>${FALLBACK_HEADING[other]}</strong></p>` +
    section(second, other) +
    `<hr><p><small>${escapeHtml(FOOTER[language](notice.key))}</small></p></body></html>`;
  return { language, subject: first.title, text, html };
}

export function escapeHtml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
