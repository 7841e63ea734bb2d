/** The highest count of a token ID this instance wrote, and when. */
type Mark = { at: number; highest: bigint }

/**
 * Per channel and token ID, the highest count written at moments a quarter TTL apart (oldest
 * first), to tell which missing counts have been missing for a TTL: a range goes missing only
 * above the highest count of its time, so the missing counts at or below the highest of a TTL
 * ago have been missing for a TTL at least. Another instance's writes can only make these
 * marks low, which forgets later, never sooner. Times in ms.
 *
 * @example
 * const marks = createStaleMarks({ ttlMs: 60_000 })
 * marks.written('0xc…', changed, state.tokens, 0) // token ID 1 written with highest count 5
 * marks.floor('0xc…', 1n, 60_000) // 5n: counts up to 5 still missing are forgotten
 */
export function createStaleMarks({ ttlMs }: { ttlMs: number }) {
  const marks = new Map<string, Map<bigint, Mark[]>>()
  return {
    /** The highest count written at least a TTL before `at` (0n: none known). */
    floor(address: string, tokenId: bigint, at: number): bigint {
      let floor = 0n
      for (const mark of marks.get(address)?.get(tokenId) ?? [])
        if (mark.at <= at - ttlMs) floor = mark.highest
      return floor
    },

    /** Records the highest counts just written (`changed`); drops the marks of token IDs no longer in `tokens`. */
    written(
      address: string,
      changed: ReadonlyMap<bigint, { counts: { highest: bigint } }>,
      tokens: ReadonlyMap<bigint, unknown>,
      at: number,
    ) {
      const channel = marks.get(address) ?? new Map<bigint, Mark[]>()
      marks.set(address, channel)
      for (const tokenId of channel.keys()) if (!tokens.has(tokenId)) channel.delete(tokenId)
      for (const [tokenId, t] of changed) {
        const list = channel.get(tokenId) ?? []
        channel.set(tokenId, list)
        const last = list.at(-1)
        if (last && at - last.at < ttlMs / 4) continue
        list.push({ at, highest: t.counts.highest })
        // One mark a TTL old or older is enough: the newest of them is the floor.
        while (list.length > 1 && (list[1] as Mark).at <= at - ttlMs) list.shift()
      }
    },
  }
}
