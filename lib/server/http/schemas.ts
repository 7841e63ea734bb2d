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
