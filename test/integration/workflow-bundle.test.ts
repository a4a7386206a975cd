import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { preloadModules } from '../../worker';

// The worker evaluates the preloaded modules once and shares them with every workflow (worker/index.ts). The bundler
// drops a module it believes free of side effects, and that drop is silent: the modules would then be evaluated per
// workflow again, costing CPU and memory per cached case. These tests read the bundle the integration suite runs.

const code = readFileSync(inject('workflowBundlePath'), 'utf8');

describe('the workflow bundle', () => {
  it('preloads every module the worker lists, none dropped by the bundler', () => {
    const body = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';
    const required = [...body.matchAll(/__webpack_require__\([^)]*"([^"]+)"\)/g)].map((m) => m[1]);
    const expected = preloadModules.map((path) => `./${relative(process.cwd(), path)}`);
    expect(required).toEqual(expected);
  });

  it('evaluates the domain per workflow without building its schemas again', () => {
    // What the reusable V8 context does: one shared module cache for the preloaded modules, a fresh one per workflow.
    const shared: Record<string, unknown> = {};
    let perWorkflow: Record<string, unknown> = {};
    let preloading = true;
    const context = vm.createContext({});
    Object.defineProperty(context, '__webpack_module_cache__', {
      value: new Proxy(
        {},
        {
          get: (_, key: string) => shared[key] ?? perWorkflow[key],
          set: (_, key: string, value) => ((preloading ? shared : perWorkflow)[key] = value) !== undefined,
        },
      ),
    });
    new vm.Script(code).runInContext(context);
    vm.runInContext('__TEMPORAL__.preloadModules()', context);
    preloading = false;
    const schemaOf = () => {
      perWorkflow = {};
      vm.runInContext('__TEMPORAL__.importWorkflows()', context);
      const commands = perWorkflow['./domain/case/commands.ts'] as { exports: { commandSchema: object } };
      return commands.exports.commandSchema;
    };
    const first = schemaOf();
    const second = schemaOf();
    // Each workflow has its own instance of the module, and both hold the one schema built by the first.
    expect(first).toBeDefined();
    expect(second).toBe(first);
  });
});
