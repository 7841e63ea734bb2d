-- An address's transactions (its page and its CSV export, lib/server/explorer/addresses.ts) are
-- read newest first a page at a time (25 rows; 1,000 in the export) as three ordered reads:
-- sent, received, and about it as a channel. With "from" and "to" indexed alone, each page
-- gathered every matching row below the cursor and sorted them (or walked the block index past
-- every other address's rows); with the block and the position in the index each read walks the
-- index backwards from the cursor and stops after one page (addresses.plan.test.ts checks it).
-- The new indexes start with the old ones' columns, so those are dropped. IF NOT EXISTS: on a big
-- table an operator may build them beforehand with CREATE INDEX CONCURRENTLY (README, Upgrades).
CREATE INDEX IF NOT EXISTS "transaction_chain_id_from_block_number_tx_index_idx"
    ON "transaction" ("chain_id", "from", "block_number", "tx_index");
CREATE INDEX IF NOT EXISTS "transaction_chain_id_to_block_number_tx_index_idx"
    ON "transaction" ("chain_id", "to", "block_number", "tx_index");
CREATE INDEX IF NOT EXISTS "transaction_chain_id_channel_block_number_tx_index_idx"
    ON "transaction" ("chain_id", "channel", "block_number", "tx_index");
DROP INDEX "transaction_chain_id_from_idx";
DROP INDEX "transaction_chain_id_to_idx";
DROP INDEX "transaction_chain_id_channel_idx";
