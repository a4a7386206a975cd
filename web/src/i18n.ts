import { createContext, useContext } from 'react';

/** The languages of the screens: Vietnamese first, English on request (kept in localStorage). */
export type Lang = 'vi' | 'en';

const TEXT = {
  appName: { vi: 'OCOP – Mỗi xã một sản phẩm', en: 'OCOP – One Commune One Product' },
  skip: { vi: 'Bỏ qua, đến nội dung chính', en: 'Skip to the main content' },
  signIn: { vi: 'Đăng nhập', en: 'Sign in' },
  signOut: { vi: 'Đăng xuất', en: 'Sign out' },
  username: { vi: 'Tên đăng nhập', en: 'Username' },
  password: { vi: 'Mật khẩu', en: 'Password' },
  totp: { vi: 'Mã xác thực 6 chữ số (ứng dụng xác thực)', en: '6-digit code (authenticator app)' },
  totpAsked: {
    vi: 'Tài khoản có xác thực hai lớp: nhập mã từ ứng dụng xác thực.',
    en: 'The account has a second factor: enter the code of the authenticator app.',
  },
  language: { vi: 'English', en: 'Tiếng Việt' },
  languageLabel: { vi: 'Switch to English', en: 'Chuyển sang tiếng Việt' },
  search: { vi: 'Tìm kiếm', en: 'Search' },
  searchLabel: {
    vi: 'Tìm sản phẩm, chủ thể, số giấy chứng nhận, xã',
    en: 'Search products, subjects, certificate numbers, communes',
  },
  searchResults: { vi: 'Kết quả tìm kiếm', en: 'Search results' },
  noResults: { vi: 'Không tìm thấy kết quả.', en: 'Nothing found.' },
  loading: { vi: 'Đang tải…', en: 'Loading…' },
  worklist: { vi: 'Việc cần làm', en: 'Worklist' },
  worklistIntro: {
    vi: 'Hồ sơ chờ xã xử lý, hạn sớm nhất trước; số ngày làm việc còn lại không tính ngày nghỉ lễ.',
    en: 'Cases waiting on your office, earliest time limit first; working days left exclude public holidays.',
  },
  register: { vi: 'Đăng ký ý tưởng', en: 'Register an idea' },
  board: { vi: 'Bảng theo dõi', en: 'Board' },
  certificates: { vi: 'Giấy chứng nhận sắp hết hạn', en: 'Certificates expiring' },
  figures: { vi: 'Số liệu thống kê', en: 'Statistics' },
  product: { vi: 'Sản phẩm', en: 'Product' },
  subject: { vi: 'Chủ thể', en: 'Subject' },
  stage: { vi: 'Giai đoạn', en: 'Stage' },
  star: { vi: 'Hạng sao', en: 'Stars' },
  commune: { vi: 'Xã, phường', en: 'Commune' },
  province: { vi: 'Tỉnh, thành phố', en: 'Province' },
  productSet: { vi: 'Bộ sản phẩm', en: 'Product set' },
  year: { vi: 'Năm đăng ký', en: 'Year registered' },
  dueOn: { vi: 'Hạn', en: 'Due' },
  daysLeft: { vi: 'Ngày làm việc còn lại', en: 'Working days left' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  overdueOnly: { vi: 'Chỉ hồ sơ quá hạn', en: 'Overdue only' },
  overdueBy: { vi: 'Quá hạn {n} ngày làm việc', en: 'Overdue by {n} working days' },
  left: { vi: 'Còn {n} ngày làm việc', en: '{n} working days left' },
  noDue: { vi: 'Không có hạn', en: 'No time limit' },
  open: { vi: 'Mở', en: 'Open' },
  nothingToDo: { vi: 'Không có việc nào đang chờ.', en: 'Nothing is waiting.' },
  count: { vi: 'Số lượng', en: 'Count' },
  total: { vi: 'Tổng cộng', en: 'Total' },
  all: { vi: 'Tất cả', en: 'All' },
  filters: { vi: 'Bộ lọc', en: 'Filters' },
  apply: { vi: 'Áp dụng', en: 'Apply' },
  clear: { vi: 'Xoá bộ lọc', en: 'Clear filters' },
  cases: { vi: 'Hồ sơ', en: 'Cases' },
  byStage: { vi: 'Số hồ sơ theo giai đoạn', en: 'Cases by stage' },
  overdueCount: { vi: 'Hồ sơ quá hạn', en: 'Overdue cases' },
  expiringWithin: { vi: 'Hết hạn trong vòng', en: 'Expiring within' },
  days: { vi: '{n} ngày', en: '{n} days' },
  certificateNumber: { vi: 'Số giấy chứng nhận', en: 'Certificate number' },
  expiresOn: { vi: 'Ngày hết hạn', en: 'Expires on' },
  issuedOn: { vi: 'Ngày cấp', en: 'Issued on' },
  groupBy: { vi: 'Thống kê theo', en: 'Group by' },
  chart: { vi: 'Biểu đồ', en: 'Chart' },
  table: { vi: 'Bảng số liệu', en: 'Table' },
  signedInAs: { vi: 'Người dùng', en: 'Signed in as' },
  role: { vi: 'Vai trò', en: 'Role' },
  jurisdiction: { vi: 'Địa bàn', en: 'Jurisdiction' },
  nav: { vi: 'Điều hướng chính', en: 'Main navigation' },
  caseTitle: { vi: 'Hồ sơ sản phẩm', en: 'Product case' },
  deadlines: { vi: 'Thời hạn', en: 'Time limits' },
  actions: { vi: 'Thao tác', en: 'Actions' },
  noActions: { vi: 'Bạn không có thao tác nào ở giai đoạn này.', en: 'You have no action at this stage.' },
  form03: { vi: 'Ghi kết quả đánh giá của xã (Mẫu số 03)', en: 'Record the commune’s assessment (Form 03)' },
  forward: { vi: 'Gửi hồ sơ lên tỉnh', en: 'Forward the dossier to the province' },
  returnDossier: { vi: 'Trả hồ sơ để hoàn thiện', en: 'Return the dossier for completion' },
  acceptIdea: { vi: 'Chấp thuận ý tưởng', en: 'Accept the idea' },
  approvePlan: { vi: 'Phê duyệt phương án', en: 'Approve the business plan' },
  localRawMaterials: { vi: 'Nguyên liệu địa phương', en: 'Local raw materials' },
  localLabour: { vi: 'Lao động địa phương', en: 'Local labour' },
  localIdentity: { vi: 'Bản sắc địa phương', en: 'Local identity' },
  ideaOrigin: { vi: 'Nguồn gốc ý tưởng', en: 'Origin of the idea' },
  meets: { vi: 'Đáp ứng', en: 'Meets' },
  partly: { vi: 'Đáp ứng một phần', en: 'Partly' },
  does_not_meet: { vi: 'Không đáp ứng', en: 'Does not meet' },
  traditional: { vi: 'Truyền thống', en: 'Traditional' },
  new: { vi: 'Mới', en: 'New' },
  adapted: { vi: 'Cải tiến', en: 'Adapted' },
  reportRef: { vi: 'Số biên bản', en: 'Report reference' },
  proposal: { vi: 'Đề xuất', en: 'Proposal' },
  letterRef: { vi: 'Số văn bản đề nghị', en: 'Letter reference' },
  sampleCount: { vi: 'Số mẫu sản phẩm', en: 'Number of samples' },
  reason: { vi: 'Lý do', en: 'Reason' },
  missing: { vi: 'Tài liệu còn thiếu (mỗi dòng một mục)', en: 'Missing documents (one per line)' },
  completeBy: { vi: 'Hoàn thiện trước ngày', en: 'Complete by' },
  note: { vi: 'Ghi chú', en: 'Note' },
  send: { vi: 'Ghi nhận', en: 'Record' },
  subjectId: { vi: 'Mã chủ thể', en: 'Subject id' },
  subjectName: { vi: 'Tên chủ thể', en: 'Subject name' },
  productName: { vi: 'Tên sản phẩm', en: 'Product name' },
  ideaSummary: { vi: 'Tóm tắt ý tưởng', en: 'Summary of the idea' },
  changed: {
    vi: 'Đã ghi nhận: {what}. Giai đoạn hiện tại: {stage}.',
    en: 'Recorded: {what}. The stage is now: {stage}.',
  },
  registered: { vi: 'Đã đăng ký ý tưởng «{name}».', en: 'The idea «{name}» is registered.' },
  problem: { vi: 'Không thực hiện được', en: 'Not done' },
  notFound: { vi: 'Không có trang này.', en: 'No such page.' },
  home: { vi: 'Trang chủ', en: 'Home' },
  welcome: { vi: 'Chọn một trang trong thanh điều hướng.', en: 'Choose a page in the navigation.' },
  required: { vi: 'bắt buộc', en: 'required' },
  choose: { vi: '— Chọn —', en: '— Choose —' },
  viewCases: { vi: 'Xem {n} hồ sơ: {label}', en: 'See the {n} cases: {label}' },
  none: { vi: 'Không có', en: 'None' },
  history: { vi: 'Lịch sử', en: 'History' },
  sessionEnded: { vi: 'Phiên đăng nhập đã kết thúc; hãy đăng nhập lại.', en: 'The session ended; sign in again.' },
  previous: { vi: 'Trang trước', en: 'Previous' },
  more: { vi: 'Xem thêm', en: 'More' },
  matchedOn: { vi: 'Khớp theo', en: 'Matched on' },
  timeline: { vi: 'Dòng thời gian của hồ sơ', en: 'Timeline of the case' },
  when: { vi: 'Thời điểm', en: 'When' },
  event: { vi: 'Sự kiện', en: 'Event' },
  who: { vi: 'Người thực hiện', en: 'Who' },
  office: { vi: 'Cơ quan', en: 'Office' },
  ruleSet: { vi: 'Bộ tiêu chí', en: 'Rule-set' },
  content: { vi: 'Nội dung', en: 'Content' },
  showContent: { vi: 'Xem nội dung', en: 'Show the content' },
  mine: { vi: 'Sản phẩm của tôi', en: 'My products' },
  nextStep: { vi: 'Việc tiếp theo', en: 'Next step' },
  byWhen: { vi: 'Hạn', en: 'By' },
  system: { vi: 'Hệ thống (tự động)', en: 'System (automatic)' },
  unknownPlace: { vi: 'Địa bàn không xác định', en: 'Unknown unit' },
} satisfies Record<string, Record<Lang, string>>;

export type TextKey = keyof typeof TEXT;

const STAGES: Record<string, Record<Lang, string>> = {
  none: { vi: 'Chưa có', en: 'None' },
  idea_registered: { vi: 'Đã đăng ký ý tưởng', en: 'Idea registered' },
  idea_returned: { vi: 'Ý tưởng bị trả lại', en: 'Idea returned' },
  idea_accepted: { vi: 'Ý tưởng được chấp thuận', en: 'Idea accepted' },
  plan_submitted: { vi: 'Đã nộp phương án', en: 'Business plan submitted' },
  plan_approved: { vi: 'Phương án được duyệt', en: 'Business plan approved' },
  dossier_submitted: { vi: 'Đã nộp hồ sơ', en: 'Dossier submitted' },
  dossier_returned: { vi: 'Hồ sơ trả lại để hoàn thiện', en: 'Dossier returned' },
  commune_assessed: { vi: 'Xã đã đánh giá', en: 'Assessed by the commune' },
  forwarded: { vi: 'Đã gửi lên tỉnh', en: 'Forwarded to the province' },
  under_review: { vi: 'Đang đánh giá cấp tỉnh', en: 'Under provincial review' },
  evidence_requested: { vi: 'Yêu cầu bổ sung tài liệu', en: 'Evidence requested' },
  council_scored: { vi: 'Hội đồng đã chấm điểm', en: 'Scored by the council' },
  at_ministry: { vi: 'Đang ở Bộ (tiềm năng 5 sao)', en: 'At the Ministry (potential 5★)' },
  central_scored: { vi: 'Hội đồng Trung ương đã chấm', en: 'Scored by the central council' },
  recognised: { vi: 'Đã quyết định công nhận', en: 'Recognised' },
  certified: { vi: 'Đã cấp giấy chứng nhận', en: 'Certified' },
  not_recognised: { vi: 'Không được công nhận', en: 'Not recognised' },
  expired: { vi: 'Hết hạn', en: 'Expired' },
  revoked: { vi: 'Bị thu hồi', en: 'Revoked' },
  withdrawn: { vi: 'Đã rút hồ sơ', en: 'Withdrawn' },
};
export const STAGE_ORDER = Object.keys(STAGES).filter((s) => s !== 'none');

const ROLES: Record<string, Record<Lang, string>> = {
  subject: { vi: 'Chủ thể sản xuất', en: 'Subject (producer)' },
  commune_officer: { vi: 'Cán bộ cấp xã', en: 'Commune officer' },
  provincial_office: { vi: 'Cơ quan thường trực cấp tỉnh', en: 'Provincial office' },
  council_member: { vi: 'Thành viên Hội đồng', en: 'Council member' },
  ministry: { vi: 'Bộ Nông nghiệp và Môi trường', en: 'Ministry' },
  auditor: { vi: 'Kiểm toán, thanh tra', en: 'Auditor' },
  admin: { vi: 'Quản trị hệ thống', en: 'Administrator' },
  system: { vi: 'Hệ thống (tự động)', en: 'System (automatic)' },
};

const DEADLINES: Record<string, Record<Lang, string>> = {
  commune_check: { vi: 'Xã kiểm tra hồ sơ', en: 'Commune check' },
  dossier_completion: { vi: 'Hoàn thiện hồ sơ', en: 'Dossier completion' },
  evidence: { vi: 'Nộp tài liệu bổ sung', en: 'Evidence' },
  decision: { vi: 'Quyết định công nhận', en: 'Decision' },
  re_rating_window_opens: { vi: 'Mở thời hạn đánh giá lại', en: 'Re-rating window opens' },
  re_rating_window_closes: { vi: 'Đóng thời hạn đánh giá lại', en: 'Re-rating window closes' },
  certificate_expiry: { vi: 'Giấy chứng nhận hết hạn', en: 'Certificate expiry' },
  extension_end: { vi: 'Hết thời gian gia hạn', en: 'End of extension' },
  revocation_decision: { vi: 'Quyết định thu hồi', en: 'Revocation decision' },
};

const EVENTS: Record<string, Record<Lang, string>> = {
  IdeaRegistered: { vi: 'đăng ký ý tưởng', en: 'idea registered' },
  IdeaAccepted: { vi: 'chấp thuận ý tưởng', en: 'idea accepted' },
  IdeaReturned: { vi: 'trả lại ý tưởng', en: 'idea returned' },
  IdeaRevised: { vi: 'chỉnh sửa ý tưởng', en: 'idea revised' },
  BusinessPlanSubmitted: { vi: 'nộp phương án', en: 'business plan submitted' },
  BusinessPlanApproved: { vi: 'phê duyệt phương án', en: 'business plan approved' },
  BusinessPlanReturned: { vi: 'trả lại phương án', en: 'business plan returned' },
  DossierSubmitted: { vi: 'nộp hồ sơ', en: 'dossier submitted' },
  DossierReturnedForCompletion: { vi: 'hồ sơ trả lại để hoàn thiện', en: 'dossier returned for completion' },
  DossierCompleted: { vi: 'hoàn thiện hồ sơ', en: 'dossier completed' },
  DossierLapsed: { vi: 'hồ sơ hết hạn hoàn thiện', en: 'dossier lapsed' },
  CommuneAssessed: { vi: 'kết quả đánh giá của xã (Mẫu số 03)', en: 'the commune’s assessment (Form 03)' },
  CommuneCheckOverdue: { vi: 'quá hạn kiểm tra của xã', en: 'commune check overdue' },
  DossierForwarded: { vi: 'hồ sơ đã gửi lên tỉnh', en: 'dossier forwarded to the province' },
  AssignedToRound: { vi: 'đưa vào đợt đánh giá cấp tỉnh', en: 'assigned to a provincial round' },
  EvidenceRequested: { vi: 'yêu cầu bổ sung tài liệu', en: 'evidence requested' },
  EvidenceSubmitted: { vi: 'nộp tài liệu bổ sung', en: 'evidence submitted' },
  EvidenceOverdue: { vi: 'quá hạn nộp tài liệu bổ sung', en: 'evidence overdue' },
  SiteVisitRecorded: { vi: 'khảo sát thực tế', en: 'site visit recorded' },
  LabTestRecorded: { vi: 'kiểm nghiệm bổ sung', en: 'lab test recorded' },
  CouncilConvened: { vi: 'thành lập Hội đồng', en: 'council convened' },
  CouncilScoresSubmitted: { vi: 'thành viên Hội đồng chấm điểm', en: 'council member’s scores' },
  CouncilResultRecorded: { vi: 'kết quả chấm điểm của Hội đồng', en: 'council result recorded' },
  SentToMinistry: { vi: 'gửi hồ sơ lên Bộ', en: 'sent to the Ministry' },
  CentralCouncilResultRecorded: { vi: 'kết quả Hội đồng Trung ương', en: 'central council result' },
  RecognitionDecided: { vi: 'quyết định công nhận', en: 'recognition decided' },
  DossierRejected: { vi: 'không công nhận', en: 'dossier rejected' },
  EvaluationClosed: { vi: 'kết thúc đánh giá', en: 'evaluation closed' },
  DecisionOverdue: { vi: 'quá hạn quyết định', en: 'decision overdue' },
  CertificateIssued: { vi: 'cấp giấy chứng nhận', en: 'certificate issued' },
  CertificateExtended: { vi: 'gia hạn giấy chứng nhận', en: 'certificate extended' },
  CertificateExpired: { vi: 'giấy chứng nhận hết hạn', en: 'certificate expired' },
  CertificateRevoked: { vi: 'thu hồi giấy chứng nhận', en: 'certificate revoked' },
  RevocationProposed: { vi: 'đề nghị thu hồi', en: 'revocation proposed' },
  RevocationDismissed: { vi: 'không thu hồi', en: 'revocation dismissed' },
  RevocationOverdue: { vi: 'quá hạn quyết định thu hồi', en: 'revocation decision overdue' },
  ReRatingWindowOpened: { vi: 'mở thời hạn đánh giá lại', en: 're-rating window opened' },
  ReRatingWindowClosed: { vi: 'đóng thời hạn đánh giá lại', en: 're-rating window closed' },
  CertifiedProductImported: { vi: 'nhập sản phẩm đã công nhận', en: 'certified product imported' },
  DossierInProgressImported: { vi: 'nhập hồ sơ đang đánh giá', en: 'dossier in progress imported' },
  PlacesUpdated: { vi: 'cập nhật địa bàn', en: 'places updated' },
  DossierWithdrawn: { vi: 'rút hồ sơ', en: 'dossier withdrawn' },
};

export const ROLE_NAMES = ROLES;

export interface I18n {
  lang: Lang;
  t: (key: TextKey, vars?: Record<string, string | number>) => string;
  /** Whether a word is a key of the dictionary. */
  has: (key: string) => key is TextKey;
  stage: (code: string) => string;
  role: (code: string) => string;
  deadline: (code: string) => string;
  event: (type: string) => string;
  /** A date or instant as dd/MM/yyyy in Vietnam. */
  date: (value: string | null | undefined) => string;
  /** An instant as dd/MM/yyyy HH:mm in Vietnam. */
  dateTime: (value: string) => string;
  /** A rule-set by its decision (QD148_2023: "QĐ 148 (2023)"). */
  ruleSet: (id: string) => string;
  /** The part of a "Vietnamese / English" message in the language shown. */
  message: (text: string) => string;
}

const pick = (table: Record<string, Record<Lang, string>>, code: string, lang: Lang, fallback: string) =>
  table[code]?.[lang] ?? fallback;

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

export function i18nOf(lang: Lang): I18n {
  return {
    lang,
    t: (key, vars = {}) =>
      Object.entries(vars).reduce(
        (text, [name, value]) => text.replaceAll(`{${name}}`, String(value)),
        TEXT[key][lang],
      ),
    has: (key): key is TextKey => Object.hasOwn(TEXT, key),
    stage: (code) => pick(STAGES, code, lang, lang === 'vi' ? 'Giai đoạn khác' : 'Other stage'),
    role: (code) => pick(ROLES, code, lang, lang === 'vi' ? 'Vai trò khác' : 'Other role'),
    deadline: (code) => pick(DEADLINES, code, lang, lang === 'vi' ? 'Thời hạn khác' : 'Other time limit'),
    event: (type) => pick(EVENTS, type, lang, lang === 'vi' ? 'thay đổi hồ sơ' : 'a change to the case'),
    date: (value) => {
      if (!value) return '';
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      if (m) return `${m[3]}/${m[2]}/${m[1]}`;
      return DATE.format(new Date(value));
    },
    dateTime: (value) => DATE_TIME.format(new Date(value)).replace(',', ''),
    ruleSet: (id) => {
      const m = /^QD(\d+)((?:_\d+)*)_(\d{4})$/.exec(id);
      if (!m) return id;
      const amended = m[2] ? m[2].slice(1).split('_').join(', ') : '';
      const decision = lang === 'vi' ? 'QĐ' : 'Decision';
      return `${decision} ${m[1]}${amended ? ` (${lang === 'vi' ? 'sửa đổi' : 'amended'} ${amended})` : ''}, ${m[3]}`;
    },
    message: (text) => {
      const parts = text.split(' / ');
      if (parts.length < 2) return text;
      return lang === 'vi' ? parts[0]! : parts.slice(1).join(' / ');
    },
  };
}

export const I18nContext = createContext<I18n>(i18nOf('vi'));
export const useI18n = () => useContext(I18nContext);

export function savedLang(): Lang {
  try {
    return localStorage.getItem('ocop-lang') === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}
export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem('ocop-lang', lang);
  } catch {
    /* private mode: the choice lasts the page */
  }
}
