import { Amount } from '@/components/Amount'

/**
 * A version 2 channel's price table in one cell: each category's name and price per request
 * (in the view's unit), one per line.
 */
export function CategoryPrices({
  prices,
}: {
  prices: ReadonlyArray<{ category: number; name: string; price: string }>
}) {
  return (
    <span className="category-prices" data-testid="category-prices">
      {prices.map((p) => (
        <span key={p.category} className="category-price" data-category={p.name} data-price={p.price}>
          <span className="muted small">{p.name}</span> <Amount wei={p.price} bare />
        </span>
      ))}
    </span>
  )
}
