-- Payment Server: every transaction it signs, recorded before it is broadcast, so that a crash
-- between sending and recording cannot lose one, and the runner can tell a mined transaction
-- from one the node dropped, another replaced (its nonce used) or a reorg took out of the chain.
-- Statuses: 'pending' (broadcast, or about to be; not in a canonical block), 'mined' and
-- 'reverted' (in block block_number/block_hash, watched for reorgs until confirmed), 'dropped'
-- (not on the node for a few blocks: decided again from the chain), 'replaced' (its nonce was
-- used by another transaction, `replaced_by` when it was ours).
CREATE TABLE "payment_sent_tx" (
    "id" BIGSERIAL NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    -- The sending account (the service's address) and the nonce it signed with.
    "account" TEXT NOT NULL,
    "nonce" BIGINT NOT NULL,
    "service_id" INTEGER NOT NULL,
    -- NULL for an `open` until its channel exists.
    "channel" TEXT,
    -- The channel (or factory) function: deposit, redeem, startRedemption, withdraw, open...
    "action" TEXT NOT NULL,
    -- The token ID a `redeem` redeems.
    "token_id" NUMERIC(78,0),
    -- The fees it was signed with (a replacement must pay more).
    "max_fee_per_gas" NUMERIC(78,0),
    "max_priority_fee_per_gas" NUMERIC(78,0),
    "status" TEXT NOT NULL DEFAULT 'pending',
    -- The head when it was (last) broadcast or found missing: "a few blocks" count from here.
    "sent_block" BIGINT NOT NULL,
    "block_number" BIGINT,
    "block_hash" TEXT,
    "replaced_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_sent_tx_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "payment_sent_tx_service_fkey" FOREIGN KEY ("service_id") REFERENCES "payment_service"("id"),
    CONSTRAINT "payment_sent_tx_status_check" CHECK (
        "status" IN ('pending', 'mined', 'reverted', 'dropped', 'replaced')),
    CONSTRAINT "payment_sent_tx_block_check" CHECK (
        ("status" IN ('mined', 'reverted')) = ("block_number" IS NOT NULL AND "block_hash" IS NOT NULL))
);
CREATE UNIQUE INDEX "payment_sent_tx_hash_key" ON "payment_sent_tx" ("chain_id", "hash");
-- The runner's watch list: pending ones, and mined ones until they are confirmed.
CREATE INDEX "payment_sent_tx_watch_idx" ON "payment_sent_tx" ("chain_id", "status", "block_number")
    WHERE "status" IN ('pending', 'mined', 'reverted');
CREATE INDEX "payment_sent_tx_channel_idx" ON "payment_sent_tx" ("chain_id", "channel", "id");
CREATE INDEX "payment_sent_tx_nonce_idx" ON "payment_sent_tx" ("chain_id", "account", "nonce");
