import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes of a product case, so operators can find cases in the Temporal UI. */
export const StageKey = defineSearchAttributeKey('OcopStage', 'KEYWORD');
export const StarKey = defineSearchAttributeKey('OcopStar', 'INT');
export const ProvinceKey = defineSearchAttributeKey('OcopProvince', 'KEYWORD');
export const CommuneKey = defineSearchAttributeKey('OcopCommune', 'KEYWORD');
export const CertificateExpiryKey = defineSearchAttributeKey('OcopCertificateExpiry', 'DATETIME');

export const searchAttributeKeys = [StageKey, StarKey, ProvinceKey, CommuneKey, CertificateExpiryKey] as const;

/** `name=Type` pairs in the form `temporal server start-dev --search-attribute` takes. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType = {
    KEYWORD: 'Keyword',
    INT: 'Int',
    DATETIME: 'Datetime',
    TEXT: 'Text',
    BOOL: 'Bool',
    DOUBLE: 'Double',
  };
  return searchAttributeKeys.flatMap((k) => [
    '--search-attribute',
    `${k.name}=${cliType[k.type as keyof typeof cliType]}`,
  ]);
}
