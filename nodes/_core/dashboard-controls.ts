import { z } from "zod";
import type { FormField, FormSchema, Widget } from "./dashboard";

/**
 * What a person may send through a control widget, as zod schemas derived from the widget: the browser checks a
 * form with them before sending and the server checks again before starting the run. Every message names the
 * field it is about, in the form's own words.
 */

/** A field as people read it: its title, else its name. */
export const fieldLabel = (name: string, field: FormField): string => field.title || name;

/** The longest text a form field takes when its schema sets no maxLength. */
export const FORM_TEXT_MAX = 10_000;

/** A type's refusal: a field left out is to be filled in, anything else is of the wrong kind. */
const refusal = (label: string, wrongKind: string) => (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? `Fill in "${label}"` : wrongKind);

function stringField(label: string, field: FormField, required: boolean): z.ZodType {
  if (field.enum) {
    const choices = field.enum.map(String);
    return z.string({ error: refusal(label, `Choose one of the choices for "${label}"`) }).refine((v) => choices.includes(v), `Choose one of the choices for "${label}"`);
  }
  const max = field.maxLength ?? FORM_TEXT_MAX;
  let text = z.string({ error: refusal(label, `"${label}" is text`) }).max(max, `Keep "${label}" under ${max + 1} characters`);
  const min = Math.max(field.minLength ?? 0, required ? 1 : 0);
  if (min > 0) text = text.min(min, min === 1 ? `Fill in "${label}"` : `"${label}" needs at least ${min} characters`);
  switch (field.format) {
    case "email":
      return text.pipe(z.email(`"${label}" must be an email address, such as ada@example.com`));
    case "uri":
      return text.pipe(z.url(`"${label}" must be a web address, such as https://example.com`));
    case "date":
      return text.pipe(z.iso.date(`"${label}" must be a date, such as 2026-01-31`));
    case "date-time":
      return text.pipe(z.iso.datetime({ offset: true, local: true, message: `"${label}" must be a date and time, such as 2026-01-31T12:00` }));
    default:
      return text;
  }
}

function numberField(label: string, field: FormField): z.ZodType {
  if (field.enum) {
    const choices = field.enum.map(Number);
    return z.number({ error: refusal(label, `Choose one of the choices for "${label}"`) }).refine((v) => choices.includes(v), `Choose one of the choices for "${label}"`);
  }
  let number = field.type === "integer" ? z.int({ error: refusal(label, `"${label}" must be a whole number`) }) : z.number({ error: refusal(label, `"${label}" must be a number`) });
  if (field.minimum !== undefined) number = number.min(field.minimum, `"${label}" is at least ${field.minimum}`);
  if (field.maximum !== undefined) number = number.max(field.maximum, `"${label}" is at most ${field.maximum}`);
  return number;
}

function fieldSchema(name: string, field: FormField, required: boolean): z.ZodType {
  const label = fieldLabel(name, field);
  const value =
    field.type === "boolean" ? z.boolean({ error: refusal(label, `"${label}" is yes or no`) }) : field.type === "string" ? stringField(label, field, required) : numberField(label, field);
  return required ? value : value.optional();
}

/** The values of a form widget: its fields, the required ones present; fields it does not have are dropped. */
export function formValuesSchema(form: FormSchema) {
  const required = new Set(form.required ?? []);
  const shape = Object.fromEntries(Object.entries(form.properties).map(([name, field]) => [name, fieldSchema(name, field, required.has(name))]));
  return z.object(shape, { error: "Send the form's values as an object of its fields" });
}

/** A switch sends its new state; a slider the value it was let go at, within its range and on its step. */
export const switchInput = z.object({ value: z.boolean({ error: "A switch sends value: true or false" }) }, { error: "A switch sends { value: true or false }" });

export function sliderInput(range: NonNullable<Widget["range"]>) {
  const { min, max, step } = range;
  return z.object(
    {
      value: z
        .number({ error: "A slider sends a number as value" })
        .min(min, `The slider's value is at least ${min}`)
        .max(max, `The slider's value is at most ${max}`)
        // Steps of 0.1 are not exact in binary: a value counts as on a step when it is within a millionth of one.
        .refine((v) => Math.abs((v - min) / step - Math.round((v - min) / step)) < 1e-6, `The slider moves in steps of ${step} from ${min}`),
    },
    { error: "A slider sends { value: a number }" },
  );
}

/** A slider without a range of its own goes from 0 to 100 in steps of 1. */
export const DEFAULT_SLIDER_RANGE = { min: 0, max: 100, step: 1 } as const;

/** The most JSON text a button may send. */
export const BUTTON_INPUT_MAX_CHARS = 65_536;

/** A button sends nothing, or an object of its own (the same for every press), of bounded size. */
export const buttonInput = z
  .record(z.string(), z.unknown(), { error: "A button sends nothing or an object" })
  .refine((value) => JSON.stringify(value).length <= BUTTON_INPUT_MAX_CHARS, `A button sends at most ${BUTTON_INPUT_MAX_CHARS} characters of JSON`)
  .optional();

/**
 * What acting through the widget takes as input; null for widgets that are not controls and for voice, which
 * takes a recording instead.
 */
export function widgetInputSchema(widget: Widget): z.ZodType | null {
  switch (widget.kind) {
    case "button":
      return buttonInput;
    case "form":
      return widget.form ? formValuesSchema(widget.form) : null;
    case "switch":
      return switchInput;
    case "slider":
      return sliderInput(widget.range ?? DEFAULT_SLIDER_RANGE);
    default:
      return null;
  }
}

/** Every problem of a parse in one sentence for a person, each message naming its field, in the order of `fields`. */
export function describeInputProblems(error: z.ZodError, fields: readonly string[] = []): string {
  const at = (issue: z.core.$ZodIssue) => {
    const index = fields.indexOf(String(issue.path[0]));
    return index === -1 ? fields.length : index;
  };
  const issues = [...error.issues].sort((a, b) => at(a) - at(b));
  return [...new Set(issues.map((issue) => issue.message))].join("; ");
}
