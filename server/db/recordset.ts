// Rows sent to PostgreSQL in one parameter: a JSON array that the statement turns back into rows with
// jsonb_to_recordset, so a batch of any size is one statement.
import { storableJson } from "../../nodes/_core/json-check";
import { RawJson } from "../../nodes/_core/raw-json";

/** A value that cannot be written as JSON (nested too deep for JSON.stringify) is stored as why, so its row still is. */
function valueJson(value: unknown): string {
  if (value instanceof RawJson) return value.json;
  try {
    return JSON.stringify(value);
  } catch (err) {
    return JSON.stringify({ unstorable: `This data could not be stored: ${(err as Error).message}` });
  }
}

/**
 * A row as one JSON object: the row less its serialized values in one JSON.stringify, those values spliced in after.
 * Times go as milliseconds since the epoch (`fromMs` reads them): JSON.stringify takes about 15 times as long to
 * write a Date as a number. A row holding a value that cannot be written goes value by value, that one stored as why.
 */
function rowJson(row: object): string {
  const fields = row as Record<string, unknown>;
  let plain = fields;
  let spliced = "";
  for (const key in fields) {
    const value = fields[key];
    if (value instanceof Date) {
      if (plain === fields) plain = { ...fields };
      plain[key] = value.getTime();
    } else if (value instanceof RawJson) {
      // Set to undefined rather than deleted, which JSON.stringify leaves out just the same and is cheaper.
      if (plain === fields) plain = { ...fields };
      plain[key] = undefined;
      spliced += `,${JSON.stringify(key)}:${value.json}`;
    }
  }
  let json: string;
  try {
    json = JSON.stringify(plain);
  } catch {
    return rowJsonByValue(fields);
  }
  if (!spliced) return json;
  return json === "{}" ? `{${spliced.slice(1)}}` : `${json.slice(0, -1)}${spliced}}`;
}

function rowJsonByValue(row: Record<string, unknown>): string {
  let out = "{";
  for (const [key, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(key)}:${valueJson(value instanceof Date ? value.getTime() : value)}`;
  }
  return `${out}}`;
}

/**
 * Rows as the one JSON array a statement reads with `jsonb_to_recordset`, declaring each time a `bigint` read with
 * `fromMs`. The one place run and step data is encoded for PostgreSQL, which cannot hold NUL or lone surrogates in
 * text or jsonb: each is stored as U+FFFD, so data that carried one (a webhook body, a node's output) is still stored.
 */
export const recordsetJson = (rows: object[]) => storableJson(`[${rows.map(rowJson).join(",")}]`);

/** A time written by `recordsetJson`, milliseconds since the epoch, as the timestamp it was. */
export const fromMs = (column: string) => `'epoch'::timestamp + ${column} * interval '1 millisecond'`;
