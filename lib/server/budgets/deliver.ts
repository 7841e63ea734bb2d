import type { WebhookKind } from '../../budgets/api'
import type { Alert } from '../../budgets/evaluate'
import { webhookBody } from '../../budgets/webhookBody'
import type { ServerContext } from '../context'
import type { Logger } from '../log'
import { postWebhook } from './webhookAddress'

/**
 * Sends the due alert deliveries to their webhooks. A delivery is claimed before it is sent
 * (status `sending`, its attempt counted, `FOR UPDATE SKIP LOCKED`), so two instances never
 * send the same one; a failed attempt is retried with backoff, then given up (`failed`). A
 * claim that its sender never settled (the process died mid-send) is taken again once it
 * lapses: the receiver may then see a delivery twice, with the same `id` (also in the
 * `X-Alert-Delivery` header) to drop it by. The URL is a secret: no log line and no stored
 * error carries it.
 */

export type DeliverySettings = {
  /** Whole attempt: connect, send, answer (ms). */
  timeoutMs: number
  /** First retry after this long, doubling (ms), at most {@link MAX_BACKOFF_MS}. */
  backoffMs: number
  maxAttempts: number
  /** The alert history page's absolute URL, linked from Slack messages (null: no link). */
  historyUrl: string | null
  /**
   * No delivery is claimed once a round has spent this long (ms): a round then lasts at most
   * this plus one attempt's timeout, however many webhooks are dead.
   */
  roundBudgetMs: number
  /** Whether a webhook may resolve to an internal address (ALERTS_ALLOW_PRIVATE_WEBHOOKS). */
  allowPrivateAddresses: boolean
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  timeoutMs: 10_000,
  backoffMs: 30_000,
  maxAttempts: 8,
  historyUrl: null,
  roundBudgetMs: 2_000,
  allowPrivateAddresses: false,
}

const MAX_BACKOFF_MS = 60 * 60_000
/** A claim lapses after this long past the attempt's timeout (ms). */
const CLAIM_MARGIN_MS = 30_000
/** Largest body sent: an alert is a few hundred bytes; anything near this is a bug. */
const MAX_BODY_BYTES = 16 * 1024
/** Most deliveries sent in one round (the rest wait for the next). */
const BATCH = 50

type Claimed = {
  id: bigint
  attempts: number
  alert: Alert
  createdAt: Date
  url: string | null
  kind: string | null
}

/** Claims the next due delivery, if any, with its webhook. */
async function claim(
  ctx: ServerContext,
  settings: DeliverySettings,
  tried: bigint[],
): Promise<Claimed | null> {
  const lease = settings.timeoutMs + CLAIM_MARGIN_MS
  const rows = await ctx.db.$queryRaw<Claimed[]>`
    WITH due AS (
      SELECT id FROM alert_delivery
      WHERE status IN ('pending', 'sending') AND next_attempt_at <= now() AND NOT (id = ANY(${tried}::bigint[]))
      ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    UPDATE alert_delivery d
    SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${lease / 1000})
    FROM due WHERE d.id = due.id
    RETURNING d.id, d.attempts, d.alert, d.created_at AS "createdAt",
      (SELECT url FROM alert_webhook w WHERE w.id = d.webhook_id) AS url,
      (SELECT kind FROM alert_webhook w WHERE w.id = d.webhook_id) AS kind`
  return rows[0] ?? null
}

/**
 * One POST of `body`: null when the webhook took it (2xx), else why not, without the URL. A
 * connection that failed or was refused (an internal address) is stored and shown only as
 * `connection failed`: the history is public, and which internal ports answer is not its to
 * tell; the log line has the error's code.
 */
async function post(
  url: string,
  body: string,
  id: string,
  settings: DeliverySettings,
  log: Logger,
): Promise<string | null> {
  try {
    const status = await postWebhook({
      url,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'channel-inspector-alerts',
        'x-alert-delivery': id,
      },
      // A webhook that redirects is misconfigured or hostile: the body is not sent on (never followed).
      signal: AbortSignal.timeout(settings.timeoutMs),
      allowPrivate: settings.allowPrivateAddresses,
    })
    if (status >= 200 && status < 300) return null
    if (status >= 300 && status < 400) return `redirected (HTTP ${status}); redirects are not followed`
    return `HTTP ${status}`
  } catch (error) {
    const e = error as { name?: string; code?: string }
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return `no answer within ${settings.timeoutMs / 1000} s`
    // Node's messages may quote the host: only the code is logged.
    log.warn(`alerts: delivery ${id} could not connect (${e.code ?? e.name ?? 'error'})`)
    return 'connection failed'
  }
}

/** Settles a claimed delivery, if this claim is still the delivery's (its attempt count). */
async function settle(ctx: ServerContext, d: Claimed, failure: string | null, settings: DeliverySettings) {
  if (failure === null) {
    await ctx.db.alertDelivery.updateMany({
      where: { id: d.id, attempts: d.attempts },
      // An earlier attempt's error stays: the history says why it took more than one.
      data: { status: 'sent', sentAt: new Date() },
    })
    return
  }
  const giveUp = d.attempts >= settings.maxAttempts || d.url === null
  const delay = Math.min(settings.backoffMs * 2 ** (d.attempts - 1), MAX_BACKOFF_MS)
  await ctx.db.alertDelivery.updateMany({
    where: { id: d.id, attempts: d.attempts },
    data: giveUp
      ? { status: 'failed', lastError: failure }
      : { status: 'pending', lastError: failure, nextAttemptAt: new Date(Date.now() + delay) },
  })
}

/**
 * Sends the due deliveries (at most {@link BATCH}, claimed until `settings.roundBudgetMs` has
 * passed or `signal` is aborted); returns how many were sent and failed.
 */
export async function deliverDue({
  ctx,
  log,
  settings = DEFAULT_DELIVERY,
  signal,
}: {
  ctx: ServerContext
  log: Logger
  settings?: DeliverySettings
  /** Aborted when the runner stops: nothing more is claimed. */
  signal?: AbortSignal
}): Promise<{ sent: number; failed: number }> {
  const started = Date.now()
  let sent = 0
  let failed = 0
  // One attempt per delivery per round: a failed one waits for a later round, however short its backoff.
  const tried: bigint[] = []
  for (let i = 0; i < BATCH; i++) {
    if (signal?.aborted || (i > 0 && Date.now() - started >= settings.roundBudgetMs)) break
    const d = await claim(ctx, settings, tried)
    if (!d) break
    tried.push(d.id)
    const id = d.id.toString()
    let failure: string | null
    if (d.url === null) failure = 'its webhook was removed'
    else {
      const body = JSON.stringify(
        webhookBody(d.kind === 'slack' ? 'slack' : ('json' as WebhookKind), d.alert, {
          id,
          createdAt: d.createdAt.toISOString(),
          historyUrl: settings.historyUrl,
        }),
      )
      failure =
        Buffer.byteLength(body) > MAX_BODY_BYTES
          ? 'the alert is too large to send'
          : await post(d.url, body, id, settings, log)
    }
    await settle(ctx, d, failure, settings)
    if (failure === null) sent++
    else {
      failed++
      log.warn(`alerts: delivery ${id} (${d.alert.rule}) attempt ${d.attempts} failed: ${failure}`)
    }
  }
  return { sent, failed }
}
