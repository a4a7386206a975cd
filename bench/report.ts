/** Writes bench/results/latest.{json,md} (and timestamped copies) from the results of one run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

export interface Section {
  id: string;
  title: string;
  /** Markdown lines. */
  lines: string[];
  /** Raw figures for the JSON report. */
  data: unknown;
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export function table(header: string[], rows: (string | number | null | undefined)[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === null || c === undefined ? '–' : String(c))).join(' | ')} |`),
  ];
}

/** Writes the report as `<name>.{json,md}` (default `latest`: the full run's), and a timestamped JSON copy. */
export function writeReport(
  meta: Record<string, unknown>,
  sections: Section[],
  name = 'latest',
): { json: string; md: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify({ ...meta, results: Object.fromEntries(sections.map((s) => [s.id, s.data])) }, null, 2);
  const md = [
    '# ocop-cycle benchmark results',
    '',
    ...Object.entries(meta).map(([k, v]) => `- **${k}**: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', ...s.lines, '']),
  ].join('\n');
  const jsonPath = join(resultsDir, `${name}.json`);
  const mdPath = join(resultsDir, `${name}.md`);
  writeFileSync(jsonPath, `${json}\n`);
  writeFileSync(mdPath, md);
  writeFileSync(join(resultsDir, `${stamp}.json`), `${json}\n`);
  return { json: jsonPath, md: mdPath };
}
