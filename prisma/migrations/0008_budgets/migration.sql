-- Budgets and alerts (issue 30, point 4; lib/server/budgets). A budget caps what a team or a
-- service pays in a UTC calendar period; alert rules watch budgets, channels' runway and pairs'
-- spend and are delivered to webhooks. Amounts are wei (uint256 as DECIMAL(78,0)).
CREATE TABLE "budget" (
    "id" SERIAL NOT NULL,
    -- 'team' or 'service'; target is the team's or the service label's name
    "scope" TEXT NOT NULL CHECK ("scope" IN ('team', 'service')),
    "target" TEXT NOT NULL,
    -- 'month' or 'week' (from Monday), UTC
    "period" TEXT NOT NULL CHECK ("period" IN ('month', 'week')),
    "amount" DECIMAL(78,0) NOT NULL CHECK ("amount" > 0),
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "budget_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "budget_scope_target_period_key" ON "budget"("scope", "target", "period");

-- Where alerts go. The URL is a secret (a Slack webhook's URL is its credential): the API and
-- the pages show it masked, the logs never.
CREATE TABLE "alert_webhook" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    -- 'json' (the alert as JSON) or 'slack' ({"text", "blocks"})
    "kind" TEXT NOT NULL CHECK ("kind" IN ('json', 'slack')),
    "url" TEXT NOT NULL,
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_webhook_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_webhook_name_key" ON "alert_webhook"("name");

-- What to watch. kind 'budget': budget_id, threshold_percent, basis ('spend' or 'forecast');
-- 'runway': service, runway_seconds; 'spike': spike_window, factor_percent, min_amount.
CREATE TABLE "alert_rule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL CHECK ("kind" IN ('budget', 'runway', 'spike')),
    "webhook_id" INTEGER NOT NULL REFERENCES "alert_webhook"("id") ON DELETE CASCADE,
    "budget_id" INTEGER REFERENCES "budget"("id") ON DELETE CASCADE,
    "threshold_percent" INTEGER,
    "basis" TEXT,
    "service" TEXT,
    "runway_seconds" INTEGER,
    "spike_window" TEXT,
    "factor_percent" INTEGER,
    "min_amount" DECIMAL(78,0),
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_rule_name_key" ON "alert_rule"("name");

-- One row per crossing, inserted before anything is sent: the unique (rule, crossing) makes a
-- crossing alert once however many runner instances evaluate it, and the row is the history.
-- It outlives its rule and webhook (their ids become NULL; rule_name stays).
CREATE TABLE "alert_delivery" (
    "id" BIGSERIAL NOT NULL,
    "rule_id" INTEGER REFERENCES "alert_rule"("id") ON DELETE SET NULL,
    "rule_name" TEXT NOT NULL,
    "webhook_id" INTEGER REFERENCES "alert_webhook"("id") ON DELETE SET NULL,
    "crossing" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "alert" JSONB NOT NULL,
    -- 'pending' (to send at next_attempt_at), 'sending' (claimed until next_attempt_at),
    -- 'sent', 'failed' (gave up)
    "status" TEXT NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'sending', 'sent', 'failed')),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_delivery_rule_crossing_key" ON "alert_delivery"("rule_id", "crossing");
CREATE INDEX "alert_delivery_due_idx" ON "alert_delivery"("next_attempt_at") WHERE "status" IN ('pending', 'sending');
CREATE INDEX "alert_delivery_created_idx" ON "alert_delivery"("created_at" DESC);

-- Every signed edit's signature, once: a signature cannot be replayed while it is fresh.
CREATE TABLE "budget_edit" (
    "signature" TEXT NOT NULL,
    "signer" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "budget_edit_pkey" PRIMARY KEY ("signature")
);
