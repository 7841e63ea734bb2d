import { cookies } from 'next/headers'
import { firstParam } from '@/components/Pagination'
import type { ViewUnit } from '@/components/UnitProvider'
import { displayFiat } from '@/lib/server/displayUnit'
import { chooseUnit, type DisplayUnit, parseUnit, UNIT_COOKIE, unitChoices } from '@/lib/units'

type SearchParams = Record<string, string | string[] | undefined>

/** What a money view needs for its one unit: the provider's value and the picker's links. */
export type ViewUnitSetup = {
  value: ViewUnit
  /** The view's own best unit, which `Auto` means. */
  auto: DisplayUnit
  links: Array<{ unit: DisplayUnit | 'auto'; href: string }>
  /** `{ unit }` when the URL chose it, for the view's other links to keep. */
  keep: Record<string, string>
}

/**
 * A money view's display unit, resolved on the server: the URL's `?unit=`, else the user's
 * remembered pick (cookie), else the unit that reads best for the view's largest amount among
 * `amounts` (chosen once per view, not per figure). A unit that is not a choice (a fiat code
 * without DISPLAY_CURRENCY) is ignored. The picker's links keep the page's other parameters.
 * @example const unit = await viewUnit({ path: '/costs', searchParams: sp, amounts: [total] })
 */
export async function viewUnit(p: {
  path: string
  searchParams: SearchParams
  amounts: Iterable<string | bigint | null | undefined>
}): Promise<ViewUnitSetup> {
  const fiat = displayFiat()
  const fromUrl = parseUnit(firstParam(p.searchParams.unit), fiat)
  const fromCookie = parseUnit((await cookies()).get(UNIT_COOKIE)?.value, fiat)
  const auto = chooseUnit(p.amounts)
  const value: ViewUnit = fromUrl
    ? { unit: fromUrl, fiat, from: 'url' }
    : fromCookie
      ? { unit: fromCookie, fiat, from: 'cookie' }
      : { unit: auto, fiat, from: 'auto' }
  const rest = Object.entries(p.searchParams).flatMap(([k, v]) =>
    k === 'unit' || v === undefined ? [] : [[k, firstParam(v) ?? ''] as [string, string]],
  )
  const href = (unit: DisplayUnit | null) => {
    const query = new URLSearchParams(unit ? [...rest, ['unit', unit]] : rest).toString()
    return query ? `${p.path}?${query}` : p.path
  }
  return {
    value,
    auto,
    links: [
      { unit: 'auto', href: href(null) },
      ...unitChoices(fiat).map((unit) => ({ unit, href: href(unit) })),
    ],
    keep: fromUrl ? { unit: fromUrl } : {},
  }
}
