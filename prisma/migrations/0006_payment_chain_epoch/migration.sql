-- Payment Server: which chain its channels belong to. A dev chain keeps its chain id when it is
-- reset (anvil_reset, a new anvil on an old database), so the chain is identified by a reference
-- block: the factory's deployment block (`deployment`), or block 0 when no deployment of the
-- factory is recorded. When that block is no longer on the node the chain was reset: the
-- channels of the old chain are retired (moved to payment_retired_channel) and `epoch` grows
-- by one, which tells every instance to forget what it remembered of them.
CREATE TABLE "payment_chain" (
    "chain_id" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL DEFAULT 1,
    -- NULL while the reset chain has no factory deployment yet (adopted at the next check).
    "reference_block" BIGINT,
    "reference_hash" TEXT,
    "reset_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_chain_pkey" PRIMARY KEY ("chain_id")
);

-- The channels of a chain that was reset, kept for audit: the payment_channel row as it was and
-- its payment_issued and payment_accepted rows (JSON arrays of the rows, numbers as text). A
-- channel's address is taken again on the new chain as soon as the same nonces open channels,
-- so the retired rows cannot stay in payment_channel under their primary key.
CREATE TABLE "payment_retired_channel" (
    "chain_id" INTEGER NOT NULL,
    -- The epoch the channel belonged to (payment_chain.epoch before the reset).
    "epoch" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "consumer" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "consumer_service_id" INTEGER,
    "provider_service_id" INTEGER,
    -- Accepted and never redeemed (highest count × price of the unredeemed token IDs): lost
    -- with the old chain.
    "unredeemed_value" NUMERIC(78,0) NOT NULL DEFAULT 0,
    "channel" JSONB NOT NULL,
    "issued" JSONB NOT NULL,
    "accepted" JSONB NOT NULL,
    -- Why: which reference block the node no longer holds, or that the channel has no code.
    "reason" TEXT NOT NULL,
    "retired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_retired_channel_pkey" PRIMARY KEY ("chain_id", "epoch", "address")
);
CREATE INDEX "payment_retired_channel_address_idx" ON "payment_retired_channel" ("chain_id", "address");
