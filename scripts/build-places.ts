/**
 * Builds `domain/places/units.json`, Vietnam's administrative units before and after the 1 July 2025 reform, from
 * the reference data in `../shared/data/admin-units/`:
 *
 *   npx tsx scripts/build-places.ts [--source <dir>] [--with-districts]
 *
 * - `units-2025-07-01-merges.json` / `-splits.json` (MIT, github.com/dvhcvn/20250701): the 34 provinces and 3,321
 *   communes since 01/07/2025, every old commune (code, name, province) and the old→new mapping.
 * - `units-2025-03-01.json` (GPL-3.0, github.com/daohoangson/dvhcvn): only the 696 old districts and which district
 *   each old commune belonged to. By default that is left out, so the output derives from MIT data alone; `--with-districts` adds it (GPL-3.0).
 *
 * Codes are GSO codes as strings (leading zeros kept). Old and new codes share one numbering, and a new unit
 * usually reuses the code of one of the old units it absorbed (00004 was Phường Trúc Bạch, is now Phường Ba Đình),
 * so a code means nothing without its era.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const sourceDir = resolve(
  here,
  '..',
  args.includes('--source') ? String(args[args.indexOf('--source') + 1]) : '../shared/data/admin-units',
);
const withDistricts = args.includes('--with-districts'); // the districts come from a GPL-3.0 file: not shipped by default
const outFile = resolve(here, '../domain/places/units.json');

const Merge = z.object({ old_id: z.string(), name: z.string(), type: z.enum(['full', 'partial']) });
const MergesFile = z.object({
  data: z.array(
    z.object({
      level1_id: z.string(),
      name: z.string(),
      merges: z.array(Merge),
      level2s: z.array(z.object({ level2_id: z.string(), name: z.string(), merges: z.array(Merge) })),
    }),
  ),
});
const Split = z.object({ new_id: z.string(), name: z.string() });
const SplitsFile = z.object({
  data: z.array(
    z.object({
      level1_id: z.string(),
      name: z.string(),
      splits: z.array(Split),
      level3s: z.array(z.object({ level3_id: z.string(), name: z.string(), splits: z.array(Split) })),
      level2s: z.array(z.object({ level2_id: z.string(), name: z.string(), splits: z.array(Split) })).optional(),
    }),
  ),
});
const OldUnitsFile = z.object({
  data_date: z.string(),
  data: z.array(
    z.object({
      level1_id: z.string(),
      name: z.string(),
      type: z.string(),
      level2s: z.array(
        z.object({
          level2_id: z.string(),
          name: z.string(),
          type: z.string(),
          level3s: z.array(z.object({ level3_id: z.string(), name: z.string(), type: z.string() })),
        }),
      ),
    }),
  ),
});

const read = <T>(file: string, schema: z.ZodType<T>): T =>
  schema.parse(JSON.parse(readFileSync(resolve(sourceDir, file), 'utf8')));

/** Unit type from the name's prefix, case-insensitively (the registry has "Thị Trấn Mường Chà"). */
const TYPE_PREFIXES = ['Thành phố', 'Thị trấn', 'Thị xã', 'Đặc khu', 'Phường', 'Tỉnh', 'Huyện', 'Quận', 'Xã'];
function typeFromName(name: string): string {
  const lower = name.toLowerCase();
  const t = TYPE_PREFIXES.find((p) => lower.startsWith(`${p.toLowerCase()} `));
  if (!t) throw new Error(`Cannot tell the unit type of ${JSON.stringify(name)}`);
  return t;
}

const merges = read('units-2025-07-01-merges.json', MergesFile);
const splits = read('units-2025-07-01-splits.json', SplitsFile);

const currentProvinces = merges.data.map((p) => [p.level1_id, p.name, typeFromName(p.name)]);
const currentCommunes = merges.data.flatMap((p) =>
  p.level2s.map((c) => [c.level2_id, c.name, typeFromName(c.name), p.level1_id]),
);
const currentProvinceNames = new Map(merges.data.map((p) => [p.level1_id, p.name]));

// Old provinces: names from the splits file when they carry a prefix; the new province is given by code.
const legacyProvinces = splits.data.map((p) => [p.level1_id, p.name, typeFromName(p.name)]);
const provinceOldToNew = Object.fromEntries(splits.data.map((p) => [p.level1_id, p.splits.map((s) => s.new_id)]));

let districtOfCommune = new Map<string, string>();
let legacyDistricts: string[][] = [];
let districtSource: string | null = null;
if (withDistricts) {
  const old = read('units-2025-03-01.json', OldUnitsFile);
  districtSource = old.data_date;
  legacyDistricts = old.data.flatMap((p) => p.level2s.map((d) => [d.level2_id, d.name, d.type, p.level1_id]));
  districtOfCommune = new Map(
    old.data.flatMap((p) => p.level2s.flatMap((d) => d.level3s.map((c) => [c.level3_id, d.level2_id]))),
  );
  // Cross-check the two sources: same communes, same provinces, same names.
  const oldCommunes = new Map(
    old.data.flatMap((p) => p.level2s.flatMap((d) => d.level3s.map((c) => [c.level3_id, `${p.level1_id}|${c.name}`]))),
  );
  const fromSplits = splits.data.flatMap((p) =>
    p.level3s.map((c) => [c.level3_id, `${p.level1_id}|${c.name}`] as const),
  );
  if (oldCommunes.size !== fromSplits.length || fromSplits.some(([id, v]) => oldCommunes.get(id) !== v)) {
    throw new Error('units-2025-03-01.json and units-2025-07-01-splits.json disagree about the old communes');
  }
}

const legacyCommunes = splits.data.flatMap((p) =>
  p.level3s.map((c) => [
    c.level3_id,
    c.name,
    typeFromName(c.name),
    districtOfCommune.get(c.level3_id) ?? null,
    p.level1_id,
  ]),
);

// Old units → new communes. Five island districts had no communes and became special zones (đặc khu) whole;
// they are keyed by their 3-digit district code, which cannot collide with a 5-digit commune code.
const unitOldToNew: Record<string, string[]> = {};
for (const p of splits.data) {
  for (const c of p.level3s) unitOldToNew[c.level3_id] = c.splits.map((s) => s.new_id);
  for (const d of p.level2s ?? []) unitOldToNew[d.level2_id] = d.splits.map((s) => s.new_id);
}

// The merges file must say the same thing from the other side.
const fromMerges = new Map<string, Set<string>>();
for (const p of merges.data)
  for (const c of p.level2s)
    for (const m of c.merges)
      (fromMerges.get(m.old_id) ?? fromMerges.set(m.old_id, new Set()).get(m.old_id)!).add(c.level2_id);
for (const [old, targets] of Object.entries(unitOldToNew)) {
  const other = [...(fromMerges.get(old) ?? [])].sort().join();
  if ([...targets].sort().join() !== other) throw new Error(`merges and splits disagree about old unit ${old}`);
}
if (currentProvinces.length !== 34 || currentCommunes.length !== 3321 || legacyCommunes.length !== 10047) {
  throw new Error(
    `unexpected counts: ${currentProvinces.length} / ${currentCommunes.length} / ${legacyCommunes.length}`,
  );
}
for (const targets of Object.values(provinceOldToNew))
  for (const t of targets) if (!currentProvinceNames.has(t)) throw new Error(`unknown new province ${t}`);

const header = {
  description:
    'Vietnam administrative units (GSO codes) before and after the 1 July 2025 reform. Generated by scripts/build-places.ts; do not edit by hand.',
  reformDate: '2025-07-01',
  sources: [
    {
      files: ['units-2025-07-01-merges.json', 'units-2025-07-01-splits.json'],
      origin: 'https://github.com/dvhcvn/20250701',
      licence: 'MIT, Copyright (c) 2025 dvhcvn',
      used: 'current provinces and communes, old provinces and communes, the old→new mapping',
    },
    ...(withDistricts
      ? [
          {
            files: ['units-2025-03-01.json'],
            origin: 'https://github.com/daohoangson/dvhcvn',
            licence: 'GPL-3.0',
            dataDate: districtSource,
            used: 'old districts and the district of each old commune only',
          },
        ]
      : []),
  ],
  rows: {
    provinces: '[code, name, type]',
    districts: '[code, name, type, provinceCode]',
    currentCommunes: '[code, name, type, provinceCode]',
    legacyCommunes: '[code, name, type, districtCode | null, provinceCode]',
    oldToNew: 'old commune code (or island-district code) → new commune codes; several when the old commune was split',
  },
};

const body = {
  current: { provinces: currentProvinces, communes: currentCommunes },
  legacy: { provinces: legacyProvinces, districts: legacyDistricts, communes: legacyCommunes },
  oldToNew: { provinces: provinceOldToNew, units: unitOldToNew },
};

/** One row per line: small diffs when the registry changes, and still compact. */
function serialise(value: unknown, indent = ''): string {
  if (Array.isArray(value) && value.every((v) => Array.isArray(v))) {
    return value.length === 0
      ? '[]'
      : `[\n${value.map((v) => `${indent}  ${JSON.stringify(v)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const flat = entries.every(([, v]) => Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (flat && entries.length > 50)
      return `{\n${entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n${indent}}`;
    return `{\n${entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${serialise(v, `${indent}  `)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

const text = `${serialise({ header, ...body })}\n`;
writeFileSync(outFile, text);
console.log(`wrote ${outFile} (${(text.length / 1024).toFixed(0)} KiB)`);
