'use client'

import { createContext, type ReactNode, useContext } from 'react'
import type { DisplayUnit, FiatRate } from '@/lib/units'

/**
 * A view's display unit: the one every `<Amount>` inside shows, the fiat rate when there is a
 * currency, and how the unit was chosen (the URL's `?unit=`, the remembered cookie, or `auto`:
 * the unit that reads best for the view's largest amount).
 */
export type ViewUnit = {
  unit: DisplayUnit
  fiat: FiatRate | null
  from: 'url' | 'cookie' | 'auto'
}

const UnitContext = createContext<ViewUnit | null>(null)

/**
 * Gives a view its one display unit. The page resolves it on the server (app/_lib/unit.ts), so
 * the first render already shows the right unit: no flash of another one after hydration.
 * @example <UnitProvider value={view.unit}>…<Amount wei={total} />…</UnitProvider>
 */
export function UnitProvider({ value, children }: { value: ViewUnit; children: ReactNode }) {
  return <UnitContext.Provider value={value}>{children}</UnitContext.Provider>
}

/** The display unit of the view around a component, or null outside any (explorer pages). */
export function useViewUnit(): ViewUnit | null {
  return useContext(UnitContext)
}

/**
 * The view's unit as text, for a table header that names it once (its cells then show bare
 * numbers: `<Amount bare />`); nothing outside a view with a unit.
 * @example <th>Paid <UnitName /></th> // 'Paid (gwei)'
 */
export function UnitName() {
  const view = useViewUnit()
  return view ? (
    <span className="unit-name" data-testid="unit-name">
      ({view.unit})
    </span>
  ) : null
}
