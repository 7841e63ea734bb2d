-- Payment Server, contract version 2 (IntermediaryV2: request categories and price tables per
-- token ID). A v1 channel keeps every row it had and `contract_version` 1; nothing of it moves.

-- The channel's contract version, its category names (v2: 1 to 8, in the contract's order) and
-- the price table the provider configured for its next redemption start (announced then by the
-- runner with startRedemptionWithPrices; NULL: none pending).
ALTER TABLE "payment_channel"
    ADD COLUMN "contract_version" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "categories" TEXT[],
    ADD COLUMN "pending_prices" DECIMAL(78,0)[];

-- The price table of each token ID of a v2 channel from `from_token_id` on (until the next row):
-- the opening table (from 1) and each announced one, as the chain's PricesAnnounced events say.
CREATE TABLE "payment_price_table" (
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "from_token_id" DECIMAL(78,0) NOT NULL,
    "prices" DECIMAL(78,0)[] NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_price_table_pkey" PRIMARY KEY ("chain_id", "channel", "from_token_id"),
    CONSTRAINT "payment_price_table_channel_fkey" FOREIGN KEY ("chain_id", "channel")
        REFERENCES "payment_channel"("chain_id", "address") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Consumer side: the issuer's frontier per token ID of a v2 channel: cumulative counts per
-- category. A new token raises one category of it by one, so a token ID's tokens form a chain.
CREATE TABLE "payment_issued_v2" (
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "token_id" DECIMAL(78,0) NOT NULL,
    "requests" DECIMAL(78,0)[] NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_issued_v2_pkey" PRIMARY KEY ("chain_id", "channel", "token_id"),
    CONSTRAINT "payment_issued_v2_channel_fkey" FOREIGN KEY ("chain_id", "channel")
        REFERENCES "payment_channel"("chain_id", "address") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Provider side: per token ID of a v2 channel, the maximum accepted token (its counts, the ID's
-- prices, its signature: what the runner redeems) and the accepted steps per category
-- (`steps`: a JSON array of lib/counter records, one per category).
CREATE TABLE "payment_accepted_v2" (
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "token_id" DECIMAL(78,0) NOT NULL,
    "requests" DECIMAL(78,0)[] NOT NULL,
    "prices" DECIMAL(78,0)[] NOT NULL,
    "signature" TEXT NOT NULL,
    "steps" JSONB NOT NULL,
    "accepted" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "first_accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "redeemed_at" TIMESTAMPTZ(3),
    "redeemed_tx" TEXT,
    "redeemed_amount" DECIMAL(78,0),
    CONSTRAINT "payment_accepted_v2_pkey" PRIMARY KEY ("chain_id", "channel", "token_id"),
    CONSTRAINT "payment_accepted_v2_channel_fkey" FOREIGN KEY ("chain_id", "channel")
        REFERENCES "payment_channel"("chain_id", "address") ON DELETE CASCADE ON UPDATE CASCADE
);
