import { z } from 'zod';
import { productFields } from '../cases/view';
import { CERTIFICATE_STATUSES } from './row';

/** A certificate (giấy chứng nhận) as the API shows it, with the case it belongs to; the type is the schema's. */
export const certificateViewSchema = z.object({
  certificateNumber: z.string(),
  productId: z.string(),
  termNo: z.number().int(),
  star: z.number().int(),
  level: z.string(),
  ruleSetId: z.string(),
  issuedOn: z.string(),
  expiresOn: z.string(),
  extendedUntil: z.string().nullable(),
  status: z.enum(CERTIFICATE_STATUSES),
  endedOn: z.string().nullable(),
  replacedBy: z.string().nullable(),
  imported: z.boolean(),
  ...productFields,
  updatedAt: z.string(),
});
export type CertificateView = z.infer<typeof certificateViewSchema>;
