-- Indexer: chain data of the factory and its channels, decoded, plus channel state derived from
-- events. Every row carries its chain id; hashes and addresses are lowercase 0x-hex text;
-- uint256 values are NUMERIC(78,0), exact.

-- Progress and health of the indexer, one row per chain.
CREATE TABLE "indexer_state" (
    "chain_id" INTEGER NOT NULL,
    "factory_address" TEXT NOT NULL,
    "factory_block" BIGINT NOT NULL,
    -- Last block whose data is fully written (NULL: nothing yet).
    "cursor_number" BIGINT,
    "cursor_hash" TEXT,
    "cursor_timestamp" BIGINT,
    "phase" TEXT NOT NULL DEFAULT 'backfill',
    "head_number" BIGINT,
    "head_timestamp" BIGINT,
    "events_indexed" BIGINT NOT NULL DEFAULT 0,
    "reorgs" INTEGER NOT NULL DEFAULT 0,
    "resets" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "indexer_state_pkey" PRIMARY KEY ("chain_id")
);

-- Hashes of the most recent blocks (the finality window), for the parent-hash check.
CREATE TABLE "recent_block" (
    "chain_id" INTEGER NOT NULL,
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parent_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    CONSTRAINT "recent_block_pkey" PRIMARY KEY ("chain_id", "number")
);

CREATE TABLE "block" (
    "chain_id" INTEGER NOT NULL,
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parent_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "miner" TEXT NOT NULL,
    "gas_used" NUMERIC(78,0) NOT NULL,
    "gas_limit" NUMERIC(78,0) NOT NULL,
    "base_fee_per_gas" NUMERIC(78,0),
    "size" BIGINT NOT NULL,
    "tx_count" INTEGER NOT NULL,
    CONSTRAINT "block_pkey" PRIMARY KEY ("chain_id", "hash")
);
CREATE UNIQUE INDEX "block_chain_id_number_key" ON "block" ("chain_id", "number");

-- Transactions that emitted an indexed event or called the factory or a channel (failed ones too).
CREATE TABLE "transaction" (
    "chain_id" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "block_hash" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_index" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "to" TEXT,
    "contract_address" TEXT,
    "value" NUMERIC(78,0) NOT NULL,
    "nonce" BIGINT NOT NULL,
    "gas_limit" NUMERIC(78,0) NOT NULL,
    "gas_price" NUMERIC(78,0),
    "max_fee_per_gas" NUMERIC(78,0),
    "max_priority_fee_per_gas" NUMERIC(78,0),
    "input" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "gas_used" NUMERIC(78,0) NOT NULL,
    "effective_gas_price" NUMERIC(78,0) NOT NULL,
    "fee" NUMERIC(78,0) NOT NULL,
    -- The channel (or factory) the transaction called or that emitted its events.
    "channel" TEXT,
    "function_name" TEXT,
    "function_args" JSONB,
    "error_name" TEXT,
    "error_args" JSONB,
    "error_data" TEXT,
    CONSTRAINT "transaction_pkey" PRIMARY KEY ("chain_id", "hash")
);
CREATE INDEX "transaction_chain_id_block_number_idx" ON "transaction" ("chain_id", "block_number", "tx_index");
CREATE INDEX "transaction_chain_id_from_idx" ON "transaction" ("chain_id", "from");
CREATE INDEX "transaction_chain_id_to_idx" ON "transaction" ("chain_id", "to");
CREATE INDEX "transaction_chain_id_channel_idx" ON "transaction" ("chain_id", "channel", "block_number");

-- Events of the factory and of every channel it opened, decoded with the project's ABIs.
CREATE TABLE "event" (
    "chain_id" INTEGER NOT NULL,
    "block_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_timestamp" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "tx_index" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    -- The channel the event is about (its own address, or the opened one for ChannelOpened).
    "channel" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "topics" TEXT[] NOT NULL,
    "data" TEXT NOT NULL,
    CONSTRAINT "event_pkey" PRIMARY KEY ("chain_id", "block_hash", "log_index")
);
CREATE INDEX "event_chain_id_block_number_idx" ON "event" ("chain_id", "block_number", "log_index");
CREATE INDEX "event_chain_id_channel_idx" ON "event" ("chain_id", "channel", "block_number", "log_index");
-- A transaction's events are found through its block number (no tx_hash index: every index
-- costs backfill speed).

-- Channel state derived from events; equal to what the contract reports at the cursor block.
CREATE TABLE "channel" (
    "chain_id" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "consumer" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "cost_per_request" NUMERIC(78,0) NOT NULL,
    "redemption_timeout" NUMERIC(78,0) NOT NULL,
    "termination_timeout" NUMERIC(78,0) NOT NULL,
    "opened_block" BIGINT NOT NULL,
    "opened_tx" TEXT NOT NULL,
    "opened_at" BIGINT NOT NULL,
    "consumer_funds" NUMERIC(78,0) NOT NULL,
    "provider_funds" NUMERIC(78,0) NOT NULL,
    "active_token_id" NUMERIC(78,0) NOT NULL,
    "expiring_token_id" NUMERIC(78,0) NOT NULL,
    "redeemable_at" NUMERIC(78,0) NOT NULL,
    "last_token_id" NUMERIC(78,0) NOT NULL,
    "terminates_at" NUMERIC(78,0) NOT NULL,
    "terminated" BOOLEAN NOT NULL,
    "terminated_by" TEXT,
    "total_deposited" NUMERIC(78,0) NOT NULL,
    "total_redeemed" NUMERIC(78,0) NOT NULL,
    -- A sum of uint256 request counts (unbounded: capped tokens on an empty channel count too).
    "total_requests" NUMERIC(100,0) NOT NULL,
    "total_withdrawn" NUMERIC(78,0) NOT NULL,
    "redemptions" INTEGER NOT NULL,
    "event_count" INTEGER NOT NULL,
    "last_event_block" BIGINT NOT NULL,
    CONSTRAINT "channel_pkey" PRIMARY KEY ("chain_id", "address")
);
CREATE INDEX "channel_chain_id_consumer_idx" ON "channel" ("chain_id", "consumer");
CREATE INDEX "channel_chain_id_provider_idx" ON "channel" ("chain_id", "provider");
