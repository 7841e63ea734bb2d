-- A signed budget edit is refused a second time by the EIP-712 digest it signs, not by the
-- signature's text: the same signature re-encoded (v as 0/1 or 27/28, s high or low) recovers
-- the same signer and was taken as new. Rows from before keep their text (void within 10 min).
ALTER TABLE "budget_edit" RENAME COLUMN "signature" TO "digest";
