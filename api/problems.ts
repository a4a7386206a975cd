import { z } from 'zod';

/** RFC 7807 problem document, the body of every error answer. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** For 400: each invalid field and why. */
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
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
