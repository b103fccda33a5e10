/**
 * Why a cron expression cannot be read, in words: which field is wrong and what it takes. The cron parser stays
 * the judge of what is valid; this only says where, in place of the parser's own message
 * (`cannot resolve alias "eve"`).
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** What the field takes, as a person would say it. */
  takes: string;
  /** Quartz extras: L, W, #, ? */
  extras?: RegExp;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

const SECOND: CronField = { name: "second", min: 0, max: 59, takes: "0–59" };
const FIVE: readonly CronField[] = [
  { name: "minute", min: 0, max: 59, takes: "0–59" },
  { name: "hour", min: 0, max: 23, takes: "0–23" },
  { name: "day of the month", min: 1, max: 31, takes: "1–31 (or L for the last day)", extras: /^(\?|L|LW|\d{1,2}W|L-\d{1,2})$/i },
  { name: "month", min: 1, max: 12, names: MONTHS, takes: "1–12 or JAN–DEC" },
  { name: "weekday", min: 0, max: 7, names: DAYS, takes: "0–7 (Sunday is 0 or 7) or SUN–SAT", extras: /^(\?|[0-7]L|[0-7]#[1-5]|[A-Z]{3}L|[A-Z]{3}#[1-5]|L)$/i },
];

export const CRON_EXAMPLE = '"0 8 * * 1-5" (08:00, Monday to Friday)';

function valueProblem(text: string, field: CronField): string | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n < field.min || n > field.max ? `"${text}" is out of range` : null;
  }
  if (field.names?.includes(text.toUpperCase())) return null;
  return `"${text}" is not a ${field.name}`;
}

function partProblem(part: string, field: CronField): string | null {
  if (field.extras?.test(part)) return null;
  const [range, step, extra] = part.split("/");
  if (extra !== undefined || range === "") return `"${part}" is not a ${field.name}`;
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `the step "${step}" is not a whole number above 0`;
  if (range === "*") return null;
  const ends = range!.split("-");
  if (ends.length > 2) return `"${part}" is not a ${field.name}`;
  for (const end of ends) {
    const problem = valueProblem(end, field);
    if (problem) return problem;
  }
  return null;
}

/** The first thing wrong with the expression, as a sentence; null when every field looks right. */
export function cronMistake(expression: string): string | null {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return `Write a schedule such as ${CRON_EXAMPLE}`;
  if (parts.length !== 5 && parts.length !== 6) {
    return `It has ${parts.length} field${parts.length === 1 ? "" : "s"}; write five (minute hour day month weekday), or six with seconds first, such as ${CRON_EXAMPLE}`;
  }
  const fields = parts.length === 6 ? [SECOND, ...FIVE] : FIVE;
  for (const [i, text] of parts.entries()) {
    const field = fields[i]!;
    for (const part of text.split(",")) {
      const problem = partProblem(part, field);
      if (problem) return `The ${field.name} field: ${problem}; it takes ${field.takes}`;
    }
  }
  return null;
}

/** What to tell a person about an expression the parser refused. */
export function cronProblemInWords(expression: string): string {
  return cronMistake(expression) ?? `This is not a schedule that can be read; write one such as ${CRON_EXAMPLE}`;
}
