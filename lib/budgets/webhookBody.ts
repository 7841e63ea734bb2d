import type { WebhookKind } from './api'
import type { Alert } from './evaluate'

/**
 * What a webhook receives for one alert, by the webhook's kind, and how its URL is shown.
 * Client-safe.
 */

/** The delivery's id and when it was decided, sent with the alert so a receiver can drop a repeat. */
export type DeliveryMeta = { id: string; createdAt: string; historyUrl: string | null }

/**
 * The JSON body: `{ id, createdAt, ...alert }` for `json` webhooks; for `slack`, Slack's
 * incoming-webhook shape: `text` (the notification's fallback) and `blocks` (a section with
 * the summary and a context line with the rule and crossing).
 */
export function webhookBody(kind: WebhookKind, alert: Alert, meta: DeliveryMeta): Record<string, unknown> {
  if (kind === 'json') return { id: meta.id, createdAt: meta.createdAt, ...alert }
  const context = `rule *${alert.rule}* · ${alert.kind} · ${meta.createdAt}`
  return {
    text: alert.summary,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: ${alert.summary}` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: meta.historyUrl ? `${context} · <${meta.historyUrl}|alert history>` : context,
          },
        ],
      },
    ],
  }
}

/**
 * A webhook URL as the API and the pages show it: scheme and host only (a Slack webhook's path
 * is its credential, and even a few of its characters shorten a short secret's guessing).
 * @example maskUrl('https://hooks.slack.com/services/T0/B0/abcdefgh') // 'https://hooks.slack.com/…'
 */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}/…`
  } catch {
    return '…'
  }
}
