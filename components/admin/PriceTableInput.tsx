'use client'

import { type CategoryRowErrors, type CategoryRowInput, MAX_CATEGORIES } from '@/lib/admin/priceTable'
import { AmountInput } from './AmountInput'

/** A new row: no name yet, its price in the unit of the row above. */
function newRow(rows: readonly CategoryRowInput[]): CategoryRowInput {
  const unit = rows.at(-1)?.price.unit ?? 'gwei'
  return { name: '', price: { text: '', unit } }
}

/**
 * A version 2 channel's price table: one row per request category (a name and its price per
 * request in exact units), 1 to 8 rows, added and removed here; checked by the form with
 * `checkPriceTable` (names as the Payment Server accepts them, distinct; prices above 0 wei).
 */
export function PriceTableInput({
  rows,
  onChange,
  error,
  rowErrors,
}: {
  rows: CategoryRowInput[]
  onChange: (rows: CategoryRowInput[]) => void
  error?: string
  rowErrors?: CategoryRowErrors[]
}) {
  const set = (i: number, row: CategoryRowInput) => onChange(rows.map((r, j) => (j === i ? row : r)))
  return (
    <fieldset className="field price-table" data-testid="open-price-table">
      <legend>Price table</legend>
      <p className="field-note">
        Each request is charged at its category's price; the provider may announce a new table when it starts
        a redemption, applying to the next token ID only. Names stay off chain.
      </p>
      {rows.map((row, i) => {
        const label = `Category ${i + 1}`
        const errors = rowErrors?.[i] ?? {}
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div key={i} className="price-row" data-testid={`open-category-${i}`}>
            <div className="field">
              <label htmlFor={`open-category-${i}-name`}>{label}: name</label>
              <input
                id={`open-category-${i}-name`}
                placeholder={i === 0 ? 'small' : i === 1 ? 'large' : ''}
                autoComplete="off"
                spellCheck={false}
                value={row.name}
                onChange={(e) => set(i, { ...row, name: e.target.value })}
                aria-invalid={errors.name ? true : undefined}
                data-testid={`open-category-${i}-name`}
              />
              {errors.name && (
                <p className="field-error" data-testid={`open-category-${i}-name-error`}>
                  {errors.name}
                </p>
              )}
            </div>
            <AmountInput
              id={`open-category-${i}-price`}
              label={`${label}: price per request`}
              value={row.price}
              onChange={(price) => set(i, { ...row, price })}
              error={errors.price}
              testId={`open-category-${i}-price`}
            />
            <button
              type="button"
              className="link-button"
              disabled={rows.length <= 1}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              data-testid={`open-category-${i}-remove`}
            >
              Remove
            </button>
          </div>
        )
      })}
      <p className="small">
        <button
          type="button"
          className="link-button"
          disabled={rows.length >= MAX_CATEGORIES}
          onClick={() => onChange([...rows, newRow(rows)])}
          data-testid="open-category-add"
        >
          Add a category
        </button>{' '}
        <span className="muted">
          ({rows.length} of at most {MAX_CATEGORIES})
        </span>
      </p>
      {error && (
        <p className="field-error" data-testid="open-price-table-error">
          {error}
        </p>
      )}
    </fieldset>
  )
}
