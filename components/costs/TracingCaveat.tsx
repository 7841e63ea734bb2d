/**
 * The thesis's caveat on exact transitive tracing (section 3.4), said where traced figures are
 * shown: a tag is the middle service's own word for whom a downstream request was made.
 */
export function TracingCaveat() {
  return (
    <p className="muted small" data-testid="tracing-caveat">
      <strong>Traced figures.</strong> A service that calls another on behalf of its own consumers can tag
      each downstream request with the consumer it serves (a request category of a version 2 channel with that
      origin). Where it does, the part of the downstream spend it made for each consumer is counted exactly,
      to the wei, as that consumer's: these figures are marked “exact (traced)”; everywhere else the cost is
      split by request share and marked “estimated (by request share)”. Tags are only as honest as the service
      that sets them: a middle service could mislabel its downstream requests, serving alice's under bob's
      name, and the chain would record bob as their cause.
    </p>
  )
}
