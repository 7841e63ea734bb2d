import { z } from 'zod'

/** The body of every error answer of every JSON API. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable reason', example: 'insufficient_funds' }),
      message: z.string().meta({ description: 'One sentence for people' }),
      hints: z.array(z.string()).optional(),
    }),
  })
  .meta({ id: 'Error' })

/**
 * Characters no text input of any API may hold: the C0 controls (U+0000 to U+001F; no field is
 * multi-line, so tab and newline too), DEL and the C1 controls (U+007F to U+009F). Postgres
 * refuses U+0000 in text outright (a 500 before this check); the others would reach logs, CSV
 * exports and pages.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** The code of a refusal of text that {@link textProblem} finds unfit, in a path, query or body. */
export const INVALID_TEXT = 'invalid_text'

/**
 * What makes `value` unfit as text, as words that follow a field's name ("must be text
 * without control characters (U+0000 at character 2)"), or null when it is fit: no control
 * character (see CONTROL) and no lone UTF-16 surrogate (a JSON escape such as `"\ud800"`
 * gives one; it has no UTF-8 form, so Postgres and every UTF-8 consumer would refuse or
 * mangle it). Allocates nothing for fit text.
 */
export function textProblem(value: string): string | null {
  if (CONTROL.test(value)) {
    const at = value.search(CONTROL)
    const code = value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')
    return `must be text without control characters (U+${code} at character ${at + 1})`
  }
  if (!isWellFormed(value)) return 'must be valid Unicode text (it holds a lone UTF-16 surrogate)'
  return null
}

/** `String.prototype.isWellFormed` (Node 20; not in the TypeScript lib this project targets). */
const isWellFormed = (value: string): boolean =>
  (value as string & { isWellFormed(): boolean }).isWellFormed()

/**
 * A string of request input that must be text ({@link textProblem}): the base of every
 * string field of every request body, so a control character or a lone surrogate is refused
 * with 400 `invalid_text` naming the field, before any other check of the field runs (the
 * check stops there) and before anything reaches the database. Part of the schema, so the
 * body is parsed and checked in one pass.
 *
 * @example
 * const body = z.object({ team: text().min(1).max(80), amount: text().regex(/^\d+$/) })
 */
export const text = () => z.string().check(textCheck)

function textCheck(ctx: z.core.ParsePayload<string>): void {
  const problem = textProblem(ctx.value)
  if (problem === null) return
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message: problem,
    params: { code: INVALID_TEXT },
    continue: false,
  })
}
