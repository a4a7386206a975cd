import { z } from 'zod';
import type { DomainErrorCode } from '../domain';

/** RFC 7807 problem document, the body of every error answer. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** For 400 (and 422 on places and product sets): each invalid field and why; `messageEn` in English where given. */
  errors: z.array(z.object({ field: z.string(), message: z.string(), messageEn: z.string().optional() })).optional(),
  /** For 409: the stage the case is in. */
  stage: z.string().optional(),
  code: z.string().optional(),
  requestId: z.string().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** An error the API answers with a problem document of this status. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly extra: Omit<Problem, 'type' | 'title' | 'status'> = {},
    /** Headers the answer carries besides the problem, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(extra.detail ?? title);
    this.name = 'HttpProblem';
  }
}

export const problemType = (status: number): string => `https://ocop-cycle.dev/problems/${status}`;

/** Problem responses of a query route. */
export const queryProblems = {
  400: problemSchema,
  401: problemSchema,
  404: problemSchema,
  429: problemSchema,
  500: problemSchema,
} as const;

/** Problem responses every command route declares, so the OpenAPI document lists them. */
export const commonProblems = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  412: problemSchema,
  413: problemSchema,
  422: problemSchema,
  429: problemSchema,
  500: problemSchema,
  503: problemSchema,
} as const;

/** The languages problem documents are written in: Vietnamese unless the caller prefers English. */
export type ProblemLanguage = 'vi' | 'en';

/**
 * The caller's language from `Accept-Language`: the one of `vi` and `en` with the higher weight (the first listed on a
 * tie); Vietnamese when neither is asked for.
 */
export function languageOf(acceptLanguage: string | undefined): ProblemLanguage {
  if (!acceptLanguage) return 'vi';
  let best: { lang: ProblemLanguage; q: number } | null = null;
  for (const part of acceptLanguage.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const lang = tag.startsWith('en') ? 'en' : tag.startsWith('vi') ? 'vi' : null;
    if (!lang) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'vi';
}

const TITLES: Record<ProblemLanguage, Record<number, string>> = {
  vi: {
    400: 'Yêu cầu không hợp lệ',
    401: 'Chưa xác thực',
    403: 'Không có quyền',
    404: 'Không tìm thấy',
    405: 'Phương thức không được phép',
    409: 'Xung đột với trạng thái hồ sơ',
    412: 'Phiên bản không còn đúng',
    413: 'Nội dung quá lớn',
    415: 'Kiểu nội dung không được hỗ trợ',
    422: 'Không thể xử lý',
    423: 'Tạm khoá',
    429: 'Quá nhiều yêu cầu',
    431: 'Tiêu đề yêu cầu quá lớn',
    500: 'Lỗi máy chủ',
    503: 'Dịch vụ tạm thời không sẵn sàng',
  },
  en: {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    412: 'Precondition Failed',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    423: 'Locked',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  },
};

/** The title of a status in a language. */
export function problemTitle(status: number, language: ProblemLanguage): string {
  return TITLES[language][status] ?? (language === 'vi' ? 'Lỗi yêu cầu' : 'Client Error');
}

/**
 * The HTTP status of each reason a decider refuses a command, and its statement in Vietnamese, which leads the
 * problem's `detail` (the decider's own message, in English, follows it). Typed by `DomainErrorCode`, so a new code
 * cannot be left without a status or a sentence.
 */
export const DOMAIN_REFUSALS = {
  illegal_in_stage: { status: 409, vi: 'Lệnh này không áp dụng ở giai đoạn hiện tại của hồ sơ.' },
  deadline_passed: { status: 409, vi: 'Đã quá thời hạn cho bước này.' },
  not_yet_open: { status: 409, vi: 'Thời hạn cho bước này chưa bắt đầu.' },
  not_due: { status: 409, vi: 'Chưa đến hạn, hoặc không có thời hạn nào đang chờ.' },
  proposal_required: { status: 409, vi: 'Quyết định này cần có đề nghị trước (điều 8.3).' },
  forbidden: { status: 403, vi: 'Người dùng không có quyền thực hiện lệnh này đối với hồ sơ này.' },
  invalid: { status: 422, vi: 'Dữ liệu của lệnh không hợp lệ hoặc mâu thuẫn với hồ sơ.' },
  star_above_band: { status: 422, vi: 'Hạng sao cao hơn mức mà khoảng điểm cho phép.' },
  star_not_allowed: { status: 422, vi: 'Hạng sao này không được công nhận ở cấp hoặc loại đánh giá này.' },
  round_not_found: { status: 409, vi: 'Tỉnh chưa mở đợt đánh giá này.' },
  round_already_open: { status: 409, vi: 'Đợt đánh giá này đã được mở.' },
  round_closed: { status: 409, vi: 'Đợt đánh giá này đã kết thúc.' },
  past_cut_off: { status: 409, vi: 'Hồ sơ được gửi lên tỉnh từ ngày chốt của đợt trở đi nên không vào đợt này.' },
  round_of_other_province: { status: 422, vi: 'Đợt đánh giá này thuộc tỉnh khác.' },
} as const satisfies Record<DomainErrorCode, { status: 403 | 409 | 422; vi: string }>;
