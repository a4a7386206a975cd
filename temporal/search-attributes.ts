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

/** Temporal's IndexedValueType numbers for the kinds we use (temporal.api.enums.v1.IndexedValueType). */
const INDEXED_VALUE_TYPE = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6 } as const;

/**
 * Registers our search attributes on a server that was not started with them (the time-skipping test server, or an
 * existing cluster): `temporal server start-dev --search-attribute` does this for the dev server.
 */
export async function registerSearchAttributes(
  operatorService: {
    addSearchAttributes(req: { namespace: string; searchAttributes: Record<string, number> }): Promise<unknown>;
  },
  namespace: string,
): Promise<void> {
  const searchAttributes = Object.fromEntries(
    searchAttributeKeys.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type as keyof typeof INDEXED_VALUE_TYPE]]),
  );
  await operatorService.addSearchAttributes({ namespace, searchAttributes });
}
