import { CALENDAR_PRESETS, CALENDAR_WORDS, type CostWindow, WINDOW_PRESETS } from '@/lib/costs/window'
import { formatUtc } from '@/lib/explorer/format'

const LABELS: Record<string, string> = {
  '1h': '1 h',
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
  all: 'All',
  ...CALENDAR_WORDS,
}

/**
 * `yyyy-mm-dd hh:mm` (UTC), the page's one date format. A text input, not datetime-local: the
 * browser shows that one in its own locale and zone (12/07/2026, 06:38 PM) beside a UTC label.
 */
const inputTime = (seconds: number) => formatUtc(seconds, 'minute', { zone: false })

/** What the range inputs take: a UTC date and time (a `T` between them, as ISO writes it, also goes). */
const TIME_PATTERN = String.raw`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?`

/**
 * The time window, kept in the URL: rolling and calendar preset links, and a custom range (UTC) sent as `from`/`to`
 * with a plain GET form, so every view can be shared as a link. `keep` holds the page's other
 * query parameters.
 */
export function WindowPicker({
  basePath,
  window,
  keep = {},
}: {
  basePath: string
  window: CostWindow
  keep?: Record<string, string>
}) {
  const link = (preset: string) => {
    const params = new URLSearchParams({ ...keep, window: preset })
    return `${basePath}?${params}`
  }
  return (
    <div className="window-picker" data-testid="window-picker">
      {[
        { label: 'Time window', presets: Object.keys(WINDOW_PRESETS) },
        { label: 'Calendar period (UTC)', presets: CALENDAR_PRESETS },
      ].map(({ label, presets }) => (
        <nav key={label} className="segmented" aria-label={label}>
          {presets.map((preset) => (
            <a
              key={preset}
              href={link(preset)}
              aria-current={window.preset === preset ? 'page' : undefined}
              data-testid={`window-${preset}`}
            >
              {LABELS[preset]}
            </a>
          ))}
        </nav>
      ))}
      <form method="get" action={basePath} className="window-custom" data-testid="window-custom">
        {Object.entries(keep).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label>
          From <span className="muted small">UTC</span>
          <input
            type="text"
            name="from"
            defaultValue={inputTime(window.from)}
            pattern={TIME_PATTERN}
            placeholder="2026-12-01 00:00"
            title="A UTC date and time: yyyy-mm-dd hh:mm"
            size={16}
            required
          />
        </label>
        <label>
          To <span className="muted small">UTC</span>
          <input
            type="text"
            name="to"
            defaultValue={inputTime(Math.max(window.from + 60, window.to - 1))}
            pattern={TIME_PATTERN}
            placeholder="2026-12-08 00:00"
            title="A UTC date and time: yyyy-mm-dd hh:mm"
            size={16}
            required
          />
        </label>
        <button type="submit" className="button button-quiet" aria-pressed={window.preset === 'custom'}>
          Apply
        </button>
      </form>
    </div>
  )
}
