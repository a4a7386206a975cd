/*
 * Values built once per JavaScript realm and then shared. In a Temporal worker this module is preloaded
 * (`preloadModules` in worker/index.ts): the worker evaluates it once, while every workflow evaluates the rest of the
 * domain for itself. What is built here is therefore built by the first workflow and reused by all the others, so
 * it must be pure and never mutated: the domain's zod schemas, which are most of what evaluating the domain costs.
 * Elsewhere (API, tests, scripts) modules are evaluated once anyway and this is a plain memo.
 */

const built = new Map<string, unknown>();

/** The value `build` returns, built on the first call for `key` in this realm and returned as is after that. */
export function shared<T>(key: string, build: () => T): T {
  if (built.has(key)) return built.get(key) as T;
  const value = build();
  built.set(key, value);
  return value;
}
