/**
 * Regenerates `domain/scoring/sheets/*.json` from Annex II of QĐ 26/2026/QĐ-TTg.
 *
 * The law text is a flattened table: cells are separated by lines holding only " | ", and a row is a text cell
 * followed by its points cell. The parser reads the rows in order and builds Part → section → criterion → option;
 * where the text is irregular, `domain/scoring/corrections.json` patches the cells before parsing, each with a reason.
 *
 *   npx tsx scripts/parse-score-sheets.ts [--check]
 *
 * `--check` parses and validates without writing, and exits non-zero if the files on disk differ.
 */
import { readFileSync, writeFileSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  KnockOutKind,
  PART_MAXIMA,
  SheetFlagKind,
  scoreSheetSchema,
  type Criterion,
  type KnockOut,
  type Part,
  type PartId,
  type ScoreOption,
  type ScoreSheet,
  type Section,
  type SheetFlag,
} from '../domain/scoring/schema';
import { PRODUCT_SETS } from '../domain/scoring/product-sets';
import { validateSheet } from '../domain/scoring/validate';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAW_PATH = resolve(root, '../shared/data/law/qd-26-2026-QD-TTg.txt');
const CORRECTIONS_PATH = join(root, 'domain/scoring/corrections.json');
const SHEETS_DIR = join(root, 'domain/scoring/sheets');
const RULE_SET = 'QD-26-2026-QD-TTg';

const correctionSchema = z
  .object({
    id: z.string(),
    /** Annex II ordinal of the sheet. */
    sheet: z.number().int().min(1).max(26),
    /** The one text cell of the sheet whose whitespace-normalised text contains `match`. */
    match: z.string().min(1),
    /** New text for the matched cell. */
    replace: z.string().optional(),
    /** The source leaves the matched row's points cell blank: insert one. */
    insertPoints: z.number().int().min(0).optional(),
    /** The matched row's points cell reads `source` (checked, so a changed source is noticed): use `points`. */
    setPoints: z.object({ source: z.string(), points: z.number().int().min(0) }).optional(),
    reason: z.string().min(10),
  })
  .refine((c) => [c.replace, c.insertPoints, c.setPoints].filter((x) => x !== undefined).length === 1, {
    message: 'a correction does exactly one of replace, insertPoints, setPoints',
  });
type Correction = z.infer<typeof correctionSchema>;

class ParseError extends Error {
  constructor(
    message: string,
    public readonly sheet: number,
    public readonly cell: string,
  ) {
    super(`sheet ${sheet}: ${message} at «${cell.slice(0, 80)}»`);
    this.name = 'ParseError';
  }
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

interface RawSheet {
  readonly ordinal: number;
  readonly subtitle: string;
  readonly preamble: string;
  readonly cells: string[];
}

/** Cuts Annex II into sheets: each sheet's table starts after "Thang điểm" and ends at "TỔNG CỘNG". */
function splitSheets(law: string): RawSheet[] {
  const start = law.indexOf('PHỤ LỤC II\n');
  const end = law.indexOf('PHỤ LỤC III');
  if (start < 0 || end < 0) throw new Error('Annex II not found in the law text');
  const lines = law.slice(start, end).split('\n');
  // Every sheet's form block starts with "Tên sản phẩm:"; the sheet heading is in the lines just above it.
  const formStarts = lines.flatMap((l, i) => (l.startsWith('Tên sản phẩm:') ? [i] : []));
  if (formStarts.length !== 26) throw new Error(`expected 26 sheets, found ${formStarts.length}`);
  return formStarts.map((at, k) => {
    const headStart = lines.lastIndexOf(k === 0 ? '' : ' (Ký và ghi rõ họ tên)', at);
    const head = lines.slice(k === 0 ? at - 6 : headStart + 1, at);
    const subtitle = norm(
      head
        .join(' ')
        .replace(/^.*?(\(Sản phẩm)/, '$1')
        .replace(/[-_]{3,}.*$/, ''),
    );
    const next = formStarts[k + 1] ?? lines.length;
    const body = lines.slice(at, next);
    const tableStart = body.findIndex((l) => l.startsWith('Thang điểm'));
    const tableEnd = body.findIndex((l) => l.startsWith('TỔNG CỘNG'));
    if (tableStart < 0 || tableEnd < 0) throw new Error(`sheet ${k + 1}: table bounds not found`);
    const preamble = norm(body.slice(0, tableStart).join('\n').split('\n | \n')[0] ?? '');
    const cells: string[] = [];
    let cell: string[] = [];
    for (const line of body.slice(tableStart + 1, tableEnd)) {
      if (line === ' | ') {
        cells.push(norm(cell.join(' ')));
        cell = [];
      } else cell.push(line);
    }
    cells.push(norm(cell.join(' ')));
    return { ordinal: k + 1, subtitle, preamble, cells: cells.filter((c) => c !== '') };
  });
}

function applyCorrections(sheet: RawSheet, corrections: readonly Correction[], applied: Correction[]): string[] {
  const cells = [...sheet.cells];
  for (const c of corrections.filter((x) => x.sheet === sheet.ordinal)) {
    const hits = cells.flatMap((cell, i) => (cell.includes(c.match) ? [i] : []));
    if (hits.length !== 1) {
      throw new Error(`correction ${c.id}: «${c.match}» matches ${hits.length} cells in sheet ${sheet.ordinal}`);
    }
    const at = hits[0]!;
    if (c.replace !== undefined) cells[at] = norm(c.replace);
    if (c.insertPoints !== undefined) {
      if (isPoints(cells[at + 1] ?? '')) throw new Error(`correction ${c.id}: the row already has points`);
      cells.splice(at + 1, 0, String(c.insertPoints));
    }
    if (c.setPoints !== undefined) {
      if (cells[at + 1] !== c.setPoints.source) {
        throw new Error(`correction ${c.id}: expected points cell «${c.setPoints.source}», found «${cells[at + 1]}»`);
      }
      cells[at + 1] = String(c.setPoints.points);
    }
    applied.push(c);
  }
  return cells;
}

const STARS = /\s*\*{3,5}\s*/;
const isPoints = (c: string): boolean => /^\d+$/.test(c);

/**
 * The sheet-level sentence "Hồ sơ bị loại khi: A hoặc B; hoặc C" becomes one ground per clause, so the council can
 * cite the one it found. Every clause must be recognised: a ground silently dropped would let a dossier through.
 */
function sheetKnockOuts(text: string | null, ordinal: number): KnockOut[] {
  if (text === null) return [];
  const body = text.replace(/^(Hồ sơ )?[Bb]ị loại khi:\s*/, '');
  const clauses = body.split(/;\s*(?:hoặc\s+)?|\s+hoặc\s+(?=không\b|giấy phép\b)/).map(norm);
  return clauses.map((clause): KnockOut => {
    const kind: KnockOutKind | undefined = /^Giả mạo/.test(clause)
      ? KnockOutKind.ForgedDossier
      : /giấy chứng nhận cơ sở đủ điều kiện|điều kiện bắt buộc/.test(clause)
        ? KnockOutKind.MandatoryLicence
        : /giấy phép sản xuất/.test(clause)
          ? KnockOutKind.ProductionLicence
          : /công bố/.test(clause)
            ? KnockOutKind.ProductDeclarationMissing
            : /hồ sơ đăng ký theo quy định$/i.test(clause)
              ? KnockOutKind.RegistrationDossier
              : undefined;
    if (kind === undefined) throw new ParseError('unrecognised rejection ground', ordinal, clause);
    return { id: `dossier-${kind}`, kind, text: clause, criterionId: null };
  });
}

function noteKnockOut(note: string, criterionId: string): KnockOut | null {
  if (!/Bị loại nếu/i.test(note)) return null;
  if (/nhập khẩu|không rõ nguồn gốc/.test(note)) {
    return {
      id: `${criterionId}-imported-raw-materials`,
      kind: KnockOutKind.ImportedOrUnknownRawMaterials,
      text: note,
      criterionId,
    };
  }
  if (/giống hệt/.test(note)) {
    return { id: `${criterionId}-copy`, kind: KnockOutKind.CopyOfAnotherProduct, text: note, criterionId };
  }
  throw new Error(`unrecognised knock-out note under ${criterionId}: ${note}`);
}

interface MutableCriterion extends Omit<Criterion, 'options' | 'notes'> {
  notes: string[];
  options: ScoreOption[];
  currentCase: string | null;
}
interface MutableSection extends Omit<Section, 'criteria'> {
  criteria: MutableCriterion[];
  subsections: Section['subsections'];
  pendingNotes: string[];
}
interface MutablePart extends Omit<Part, 'sections'> {
  sections: MutableSection[];
}

function parseSheet(
  raw: RawSheet,
  cells: readonly string[],
): Omit<ScoreSheet, 'code' | 'title' | 'titleEn' | 'productSet'> {
  const parts: MutablePart[] = [];
  const flags: SheetFlag[] = [];
  const knockOuts: KnockOut[] = [];
  let part: MutablePart | null = null;
  let section: MutableSection | null = null;
  let criterion: MutableCriterion | null = null;
  let caseLabel: string | null = null;

  const fail = (msg: string, cell: string): never => {
    throw new ParseError(msg, raw.ordinal, cell);
  };

  for (let i = 0; i < cells.length; i++) {
    const text = cells[i]!;
    const next = cells[i + 1];
    const points = next !== undefined && isPoints(next) ? Number(next) : null;
    if (points !== null) i++;

    const partMatch = text.match(/^PHẦN\s+([ABC])\b/i);
    const criterionMatch = text.match(/^(\d+)\.(\d+)(?:\.(\d+))?\.?\s+(.*)$/);
    const sectionMatch = text.match(/^(\d+)\.\s+(.*)$/);

    if (partMatch) {
      if (points === null) fail('part without points', text);
      const id = partMatch[1]!.toUpperCase() as PartId;
      const stated = text.match(/\((\d+)\s*điểm\)/i);
      part = {
        id,
        heading: text,
        headingPoints: stated ? Number(stated[1]) : null,
        maxPoints: points!,
        sections: [],
      };
      parts.push(part);
      section = null;
      criterion = null;
    } else if (text.startsWith('□')) {
      if (points === null) fail('option without points', text);
      if (section === null) return fail('option outside a section', text);
      if (criterion === null) {
        // A numbered heading with tick-boxes directly under it (e.g. "7. DINH DƯỠNG") is its own criterion.
        criterion = {
          id: section.id,
          title: section.title,
          maxPoints: section.maxPoints,
          notes: section.pendingNotes,
          options: [],
          currentCase: null,
          subsection: null,
        };
        section.pendingNotes = [];
        section.criteria.push(criterion);
      }
      const stars = text.match(/\*{3,5}/);
      if ((text.match(/\*/g) ?? []).length !== (stars?.[0].length ?? 0)) fail('irregular star mark', text);
      const optionText = norm(text.replace(/^□\s*/, '').replace(STARS, ' '));
      criterion.options.push({
        id: `${criterion.id}-${String.fromCharCode(97 + criterion.options.length)}`,
        text: optionText,
        points: points!,
        minimumFor: stars ? (stars[0].length as 3 | 4 | 5) : null,
        case: caseLabel,
      });
    } else if (criterionMatch) {
      if (points === null) fail('criterion without points', text);
      if (section === null || section.id !== criterionMatch[1]) return fail('criterion outside its section', text);
      caseLabel = null;
      const [title, ...notes] = criterionMatch[4]!.split(/\s(?=Yêu cầu:)/);
      const parentId = `${criterionMatch[1]}.${criterionMatch[2]}`;
      let subsection: string | null = null;
      if (criterionMatch[3] !== undefined) {
        // "6.1.1" under "6.1": the option-less "6.1" read so far is a sub-heading, not a criterion.
        const previous = section.criteria.at(-1);
        if (previous?.id === parentId && previous.options.length === 0) {
          section.criteria.pop();
          section.subsections.push({
            id: parentId,
            title: previous.title,
            maxPoints: previous.maxPoints,
            notes: previous.notes,
          });
        }
        if (!section.subsections.some((s) => s.id === parentId)) return fail('criterion outside its sub-heading', text);
        subsection = parentId;
      }
      criterion = {
        id: criterionMatch[3] === undefined ? parentId : `${parentId}.${criterionMatch[3]}`,
        title: norm(title!),
        maxPoints: points!,
        notes: notes.map(norm),
        options: [],
        currentCase: null,
        subsection,
      };
      section.criteria.push(criterion);
    } else if (sectionMatch && points !== null) {
      if (part === null) return fail('section outside a part', text);
      caseLabel = null;
      const m = sectionMatch[2]!.match(/^([^(]*?)\s*(\(.*\))?$/);
      section = {
        id: sectionMatch[1]!,
        title: norm(m?.[1] ?? sectionMatch[2]!),
        maxPoints: points,
        criteria: [],
        subsections: [],
        pendingNotes: m?.[2] ? [m[2]] : [],
      };
      part.sections.push(section);
      criterion = null;
    } else if (/^[a-z]\.\s*Trường hợp/i.test(text)) {
      caseLabel = text;
    } else {
      if (points !== null) fail('unclassified row with points', text);
      if (text.includes('*')) fail('star mark outside an option', text);
      if (/^Lựa chọn một trong/.test(text)) continue;
      if (criterion !== null) criterion.notes.push(text);
      else if (section !== null) section.pendingNotes.push(text);
      else fail('note outside a section', text);
    }
  }

  const finished: Part[] = parts.map((p) => ({
    ...p,
    sections: p.sections.map((s) => {
      if (s.criteria.length === 0) fail('section with no criteria', s.title);
      return {
        id: s.id,
        title: s.title,
        maxPoints: s.maxPoints,
        subsections: s.subsections,
        criteria: s.criteria.map((c): Criterion => {
          for (const note of c.notes) {
            const ko = noteKnockOut(note, c.id);
            if (ko) knockOuts.push(ko);
          }
          let options = c.options;
          if (options.length === 0) {
            // The source prints e.g. "2.4. Ghi nhãn … song ngữ | 1" with no tick-boxes: the criterion is met or not.
            options = [
              { id: `${c.id}-a`, text: 'Không đáp ứng', points: 0, minimumFor: null, case: null },
              { id: `${c.id}-b`, text: 'Đáp ứng', points: c.maxPoints, minimumFor: null, case: null },
            ];
            flags.push({
              kind: SheetFlagKind.ImplicitYesNoOptions,
              target: c.id,
              detail: `printed without tick-boxes; read as not met (0) or met (${c.maxPoints})`,
            });
          }
          return {
            id: c.id,
            title: c.title,
            maxPoints: c.maxPoints,
            notes: c.notes,
            options,
            subsection: c.subsection,
          };
        }),
      };
    }),
  }));

  for (const p of finished) {
    if (p.headingPoints !== null && p.headingPoints !== p.maxPoints) {
      const childSum = p.sections.reduce((t, s) => t + s.maxPoints, 0);
      const chosen = [p.maxPoints, p.headingPoints].find((v) => v === childSum && v === PART_MAXIMA[p.id]);
      if (chosen === undefined) fail(`part ${p.id}: heading and scale disagree and neither is consistent`, p.heading);
      flags.push({
        kind: SheetFlagKind.HeadingMaximumMismatch,
        target: p.id,
        detail: `heading states ${p.headingPoints}, scale column states ${p.maxPoints}; sections sum to ${childSum} and Art. 3.1 gives ${PART_MAXIMA[p.id]}: ${chosen} used`,
      });
      p.maxPoints = chosen!;
    }
  }

  // Sheet 1 prints its rejection sentence twice in a row; the second copy adds nothing.
  const rejection = raw.preamble.match(/(Hồ sơ )?[Bb]ị loại khi:.*?(?=\s*Hồ sơ bị loại khi:|$)/);
  const rejectionText = rejection ? norm(rejection[0]) : null;
  return {
    schemaVersion: 1,
    ruleSet: RULE_SET,
    ordinal: raw.ordinal,
    subtitle: raw.subtitle,
    rejectionText,
    knockOuts: [...sheetKnockOuts(rejectionText, raw.ordinal), ...knockOuts],
    parts: finished,
    totalPoints: finished.reduce((t, p) => t + p.maxPoints, 0),
    flags,
  };
}

function main(): void {
  const check = process.argv.includes('--check');
  const law = readFileSync(LAW_PATH, 'utf8');
  const corrections = z.array(correctionSchema).parse(JSON.parse(readFileSync(CORRECTIONS_PATH, 'utf8')).corrections);
  const applied: Correction[] = [];
  const outputs = new Map<string, string>();
  let criteria = 0;
  let options = 0;
  let problems = 0;

  for (const raw of splitSheets(law)) {
    const meta = PRODUCT_SETS.find((p) => p.ordinal === raw.ordinal);
    if (!meta) throw new Error(`no product set for sheet ${raw.ordinal}`);
    const before = applied.length;
    const cells = applyCorrections(raw, corrections, applied);
    let parsed: ReturnType<typeof parseSheet>;
    try {
      parsed = parseSheet(raw, cells);
    } catch (error) {
      // Report every broken sheet in one run, so corrections can be reviewed together.
      if (!(error instanceof ParseError)) throw error;
      console.error(error.message);
      problems++;
      continue;
    }
    const flags = [
      ...parsed.flags,
      ...applied
        .slice(before)
        .map((c): SheetFlag => ({ kind: SheetFlagKind.ManualCorrection, target: c.id, detail: c.reason })),
    ];
    const sheet = scoreSheetSchema.parse({
      ...parsed,
      code: meta.code,
      title: meta.title,
      titleEn: meta.titleEn,
      productSet: meta.productSet,
      flags,
    });
    for (const issue of validateSheet(sheet)) {
      problems++;
      console.error(`sheet ${sheet.ordinal} ${sheet.code}: ${issue.kind} ${issue.target}: ${issue.message}`);
    }
    const crit = sheet.parts.flatMap((p) => p.sections.flatMap((s) => s.criteria));
    criteria += crit.length;
    options += crit.reduce((t, c) => t + c.options.length, 0);
    outputs.set(`${meta.code}.json`, JSON.stringify(sheet, null, 2) + '\n');
  }

  const unused = corrections.filter((c) => !applied.includes(c));
  if (unused.length > 0) throw new Error(`corrections not applied: ${unused.map((c) => c.id).join(', ')}`);

  if (check) {
    const stale = [...outputs].filter(([name, text]) => {
      try {
        return readFileSync(join(SHEETS_DIR, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      console.error(`stale sheets: ${stale.map(([n]) => n).join(', ')}`);
      process.exitCode = 1;
    }
  } else {
    mkdirSync(SHEETS_DIR, { recursive: true });
    for (const old of readdirSync(SHEETS_DIR).filter((f) => f.endsWith('.json'))) unlinkSync(join(SHEETS_DIR, old));
    for (const [name, text] of outputs) writeFileSync(join(SHEETS_DIR, name), text);
  }
  const correctedSheets = new Set(applied.map((c) => c.sheet));
  console.log(
    `${outputs.size} sheets, ${criteria} criteria, ${options} options; ` +
      `${applied.length} corrections applied to ${correctedSheets.size} sheets; ${problems} validation issues`,
  );
  if (problems > 0) process.exitCode = 1;
}

main();
