-- What the payment system costs (lib/server/costs/overhead.ts) turns a window into a block range:
-- the first block at or after a time is one probe of this index (the block table had only its
-- number), and the transactions in the range are then read by their (chain_id, block_number)
-- index. Without it, every overhead answer scanned the whole block table
-- (lib/server/costs/overhead.plan.test.ts).
CREATE INDEX "block_chain_id_timestamp_number_idx" ON "block" ("chain_id", "timestamp", "number");
