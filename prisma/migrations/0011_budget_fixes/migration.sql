-- A signed budget edit is refused a second time by the EIP-712 digest it signs, not by the
-- signature's text: the same signature re-encoded (v as 0/1 or 27/28, s high or low) recovers
-- the same signer and was taken as new. Rows from before keep their text (void within 10 min).
ALTER TABLE "budget_edit" RENAME COLUMN "signature" TO "digest";

-- What a rule is alerting about now: a runway rule's channel while it stays short (the
-- episode: one alert when it starts, keyed by `since`; the row goes when the channel's runway
-- is back above the threshold or it is closed, so a later shortage alerts again).
CREATE TABLE "alert_subject" (
    "rule_id" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "alert_subject_pkey" PRIMARY KEY ("rule_id", "subject"),
    CONSTRAINT "alert_subject_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
