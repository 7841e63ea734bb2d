-- Payment Server: the team's services (keys and API keys), the channels it works with, the
-- tokens its consumers issued and the counts its providers accepted, and the background
-- runner's bookkeeping. Addresses are lowercase 0x-hex; uint256 values NUMERIC(78,0).

-- A service of this team: it calls others (consumer) and/or is called (provider).
CREATE TABLE "payment_service" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "team" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    -- 'keystore': generated here, stored encrypted (AES-256-GCM under PAYMENT_KEYSTORE_SECRET);
    -- 'env': read from the environment variable named in key_env, never stored.
    "key_source" TEXT NOT NULL,
    "key_env" TEXT,
    "key_ciphertext" BYTEA,
    -- SHA-256 of the service's API key (the key itself is shown once, never stored).
    "api_key_hash" BYTEA NOT NULL,
    "api_key_prefix" TEXT NOT NULL,
    -- As a provider: the lowest price per request (wei) it accepts; NULL: not a provider.
    "price" NUMERIC(78,0),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_service_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "payment_service_key_check" CHECK (
        ("key_source" = 'keystore' AND "key_ciphertext" IS NOT NULL AND "key_env" IS NULL) OR
        ("key_source" = 'env' AND "key_env" IS NOT NULL AND "key_ciphertext" IS NULL))
);
CREATE UNIQUE INDEX "payment_service_name_key" ON "payment_service" ("name");
CREATE UNIQUE INDEX "payment_service_address_key" ON "payment_service" ("address");
CREATE UNIQUE INDEX "payment_service_api_key_hash_key" ON "payment_service" ("api_key_hash");

-- A channel one of this team's services is a party of. `version` is bumped by every change of
-- the provider-side acceptance state, so that writers on several processes can act on a state
-- they read only if nobody changed it in between (optimistic concurrency in one statement).
CREATE TABLE "payment_channel" (
    "chain_id" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "consumer" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "consumer_service_id" INTEGER,
    "provider_service_id" INTEGER,
    "cost_per_request" NUMERIC(78,0) NOT NULL,
    "redemption_timeout" BIGINT NOT NULL,
    "termination_timeout" BIGINT NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,
    -- Consumer side: deposit `auto_fund_amount` when the funds left drop below the threshold.
    "auto_fund_threshold" NUMERIC(78,0),
    "auto_fund_amount" NUMERIC(78,0),
    -- Runner: the next time it may try a transaction for this channel after a failure.
    "failures" INTEGER NOT NULL DEFAULT 0,
    "retry_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_channel_pkey" PRIMARY KEY ("chain_id", "address"),
    CONSTRAINT "payment_channel_consumer_fkey" FOREIGN KEY ("consumer_service_id") REFERENCES "payment_service"("id"),
    CONSTRAINT "payment_channel_provider_fkey" FOREIGN KEY ("provider_service_id") REFERENCES "payment_service"("id"),
    CONSTRAINT "payment_channel_party_check" CHECK ("consumer_service_id" IS NOT NULL OR "provider_service_id" IS NOT NULL)
);
CREATE INDEX "payment_channel_consumer_idx" ON "payment_channel" ("consumer_service_id", "provider");
CREATE INDEX "payment_channel_provider_idx" ON "payment_channel" ("provider_service_id");

-- Consumer side: the highest count issued per token ID (issuing adds to it atomically).
CREATE TABLE "payment_issued" (
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "token_id" NUMERIC(78,0) NOT NULL,
    "requests" NUMERIC(78,0) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_issued_pkey" PRIMARY KEY ("chain_id", "channel", "token_id"),
    CONSTRAINT "payment_issued_channel_fkey" FOREIGN KEY ("chain_id", "channel") REFERENCES "payment_channel"("chain_id", "address") ON DELETE CASCADE
);

-- Provider side: what was accepted per token ID. `counts` is lib/counter's record (highest,
-- missing ranges, forgotten); `signature` is the consumer's signature on the highest count,
-- the one redeemed. `closed_at`: no more acceptance (redemption under way); `redeemed_*`: done.
CREATE TABLE "payment_accepted" (
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "token_id" NUMERIC(78,0) NOT NULL,
    "highest" NUMERIC(78,0) NOT NULL,
    "signature" TEXT NOT NULL,
    "counts" JSONB NOT NULL,
    "accepted" NUMERIC(78,0) NOT NULL DEFAULT 0,
    "first_accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "redeemed_at" TIMESTAMPTZ(3),
    "redeemed_tx" TEXT,
    "redeemed_amount" NUMERIC(78,0),
    CONSTRAINT "payment_accepted_pkey" PRIMARY KEY ("chain_id", "channel", "token_id"),
    CONSTRAINT "payment_accepted_channel_fkey" FOREIGN KEY ("chain_id", "channel") REFERENCES "payment_channel"("chain_id", "address") ON DELETE CASCADE
);
CREATE INDEX "payment_accepted_open_idx" ON "payment_accepted" ("chain_id", "channel") WHERE "redeemed_at" IS NULL;

-- Transactions the Payment Server sent, for the API, the dashboard and the runner's history.
CREATE TABLE "payment_action" (
    "id" BIGSERIAL NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT,
    "service_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "tx_hash" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_action_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "payment_action_service_fkey" FOREIGN KEY ("service_id") REFERENCES "payment_service"("id")
);
CREATE INDEX "payment_action_channel_idx" ON "payment_action" ("chain_id", "channel", "id");
