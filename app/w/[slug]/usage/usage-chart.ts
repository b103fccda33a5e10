/** The usage page's bar chart as data: one bar per day of the range (empty days too), stacked by model. Pure. */

export interface DayModelTokens {
  day: string;
  provider: string;
  model: string;
  totalTokens: number;
}

export interface UsageBar {
  day: string;
  total: number;
  segments: { key: string; tokens: number }[];
}

/** "openai · gpt-4o": how a model is named on the page. */
export const modelKey = ({ provider, model }: { provider: string; model: string }) => `${provider} · ${model}`;

/** Every day from `from` to `to` (YYYY-MM-DD, UTC, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); at <= end; at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

export function usageBars({ from, to, rows }: { from: string; to: string; rows: DayModelTokens[] }): UsageBar[] {
  return daysBetween(from, to).map((day) => {
    const segments = rows.filter((row) => row.day === day && row.totalTokens > 0).map((row) => ({ key: modelKey(row), tokens: row.totalTokens }));
    return { day, total: segments.reduce((sum, s) => sum + s.tokens, 0), segments };
  });
}
