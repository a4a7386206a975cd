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

/** Thrown when the server lacks our search attributes and we may not add them, or has one with another type. */
export class SearchAttributesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchAttributesError';
  }
}

interface OperatorService {
  listSearchAttributes(req: { namespace: string }): Promise<{ customAttributes?: Record<string, unknown> | null }>;
  addSearchAttributes(req: { namespace: string; searchAttributes: Record<string, number> }): Promise<unknown>;
}

/** The commands an operator runs to register our search attributes by hand. */
export function searchAttributeCommands(namespace: string): string {
  const cliType = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime' } as const;
  return searchAttributeKeys
    .map(
      (k) =>
        `  temporal operator search-attribute create --namespace ${namespace} --name ${k.name} ` +
        `--type ${cliType[k.type]}`,
    )
    .join('\n');
}

/**
 * Makes sure the namespace has every search attribute the case workflow upserts (idempotent): those missing are
 * added through the operator service. Without them the first command of every case would fail its workflow task.
 * @returns the names it added (empty when all were there).
 * @throws SearchAttributesError naming the attribute and the commands to run, when one exists with another type or
 * the server refuses to add them (e.g. no operator permission on a managed cluster).
 */
export async function ensureSearchAttributes(operatorService: OperatorService, namespace: string): Promise<string[]> {
  let existing: Record<string, unknown>;
  try {
    existing = (await operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    throw new SearchAttributesError(
      `Cannot list the search attributes of Temporal namespace "${namespace}": ${String(err)}.\n` +
        `Register them yourself, then start again:\n${searchAttributeCommands(namespace)}`,
    );
  }
  const wrong = searchAttributeKeys.filter(
    (k) =>
      existing[k.name] !== undefined &&
      Number(existing[k.name]) !== INDEXED_VALUE_TYPE[k.type as keyof typeof INDEXED_VALUE_TYPE],
  );
  if (wrong.length > 0) {
    throw new SearchAttributesError(
      `Temporal namespace "${namespace}" has search attribute(s) ${wrong.map((k) => k.name).join(', ')} with ` +
        `another type than ${wrong.map((k) => k.type).join(', ')}; the case workflow cannot run there. Use another ` +
        `namespace (TEMPORAL_NAMESPACE) or remove them and start again.`,
    );
  }
  const missing = searchAttributeKeys.filter((k) => existing[k.name] === undefined);
  if (missing.length === 0) return [];
  try {
    await operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type as keyof typeof INDEXED_VALUE_TYPE]]),
      ),
    });
  } catch (err) {
    // Two instances starting at once: the other one added them.
    const after = (await operatorService.listSearchAttributes({ namespace }).catch(() => null))?.customAttributes;
    if (after && missing.every((k) => after[k.name] !== undefined)) return [];
    throw new SearchAttributesError(
      `Temporal namespace "${namespace}" lacks the search attributes ${missing.map((k) => k.name).join(', ')} and ` +
        `adding them failed (${String(err)}).\nRegister them with an operator's rights, then start again:\n` +
        searchAttributeCommands(namespace),
    );
  }
  return missing.map((k) => k.name);
}
