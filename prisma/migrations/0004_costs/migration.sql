-- Costs: names and teams for addresses (service labels) and spend rollups that Postgres keeps
-- up to date as the indexer writes and deletes events, so cost reads never scan raw events.

-- A service's name and team for an address (lowercase 0x-hex). Seeded from the Payment
-- Server's services (trigger below), edited through POST /api/services/labels with an admin's
-- signature; `version` counts edits (the signed edit names the version it replaces).
CREATE TABLE "service_label" (
    "address" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "team" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "source" TEXT NOT NULL,
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "service_label_pkey" PRIMARY KEY ("address")
);
CREATE UNIQUE INDEX "service_label_name_key" ON "service_label" ("name");
CREATE INDEX "service_label_team_idx" ON "service_label" ("team");

INSERT INTO "service_label" ("address", "name", "team", "source")
SELECT lower("address"), "name", "team", 'payment' FROM "payment_service"
ON CONFLICT DO NOTHING;

-- A service the Payment Server registers gets its label unless the address or name is taken.
CREATE FUNCTION "service_label_from_payment"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "service_label" ("address", "name", "team", "source")
    VALUES (lower(NEW."address"), NEW."name", NEW."team", 'payment')
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER "payment_service_label" AFTER INSERT ON "payment_service"
    FOR EACH ROW EXECUTE FUNCTION "service_label_from_payment"();

-- Settled spend per channel and UTC hour / day (bucket = the period's start, unix seconds):
-- the sum of its Redeemed events' amounts and requests. Consumer and provider come from
-- "channel" at read time.
CREATE TABLE "cost_hourly" (
    "chain_id" INTEGER NOT NULL,
    "bucket" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "amount" NUMERIC(78,0) NOT NULL,
    "requests" NUMERIC(100,0) NOT NULL,
    "redemptions" INTEGER NOT NULL,
    CONSTRAINT "cost_hourly_pkey" PRIMARY KEY ("chain_id", "bucket", "channel")
);
CREATE INDEX "cost_hourly_channel_idx" ON "cost_hourly" ("chain_id", "channel", "bucket");

CREATE TABLE "cost_daily" (
    "chain_id" INTEGER NOT NULL,
    "bucket" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "amount" NUMERIC(78,0) NOT NULL,
    "requests" NUMERIC(100,0) NOT NULL,
    "redemptions" INTEGER NOT NULL,
    CONSTRAINT "cost_daily_pkey" PRIMARY KEY ("chain_id", "bucket", "channel")
);
CREATE INDEX "cost_daily_channel_idx" ON "cost_daily" ("chain_id", "channel", "bucket");

-- The partial hours at a window's edges are read from the events themselves.
CREATE INDEX "event_redeemed_time_idx" ON "event" ("chain_id", "block_timestamp") WHERE "name" = 'Redeemed';

-- Adds the Redeemed amounts of the rows an INSERT wrote, or takes away those a DELETE removed
-- (a reorg's rollback, a reset), in both rollups. Statement-level with transition tables: one
-- pass per statement, and rows an `ON CONFLICT DO NOTHING` skipped are not in the transition
-- table, so re-indexing a range after a crash counts nothing twice.
CREATE FUNCTION "cost_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows_name TEXT := CASE TG_OP WHEN 'INSERT' THEN 'new_events' ELSE 'old_events' END;
    sign INTEGER := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
    period BIGINT;
    target TEXT;
BEGIN
    FOREACH period IN ARRAY ARRAY[3600, 86400] LOOP
        target := CASE period WHEN 3600 THEN 'cost_hourly' ELSE 'cost_daily' END;
        EXECUTE format(
            'INSERT INTO %I AS t ("chain_id", "bucket", "channel", "amount", "requests", "redemptions")
             SELECT "chain_id", "block_timestamp" - "block_timestamp" %% $1, "channel",
                    $2 * sum(("args"->>''amount'')::numeric), $2 * sum(("args"->>''requests'')::numeric), $2 * count(*)
             FROM %I WHERE "name" = ''Redeemed''
             GROUP BY 1, 2, 3
             ON CONFLICT ("chain_id", "bucket", "channel") DO UPDATE SET
                 "amount" = t."amount" + EXCLUDED."amount",
                 "requests" = t."requests" + EXCLUDED."requests",
                 "redemptions" = t."redemptions" + EXCLUDED."redemptions"',
            target, rows_name) USING period, sign;
        IF sign < 0 THEN
            EXECUTE format(
                'DELETE FROM %I AS t USING (SELECT DISTINCT "chain_id", "block_timestamp" - "block_timestamp" %% $1 AS "bucket", "channel"
                                            FROM %I WHERE "name" = ''Redeemed'') AS d
                 WHERE t."chain_id" = d."chain_id" AND t."bucket" = d."bucket" AND t."channel" = d."channel"
                   AND t."redemptions" <= 0',
                target, rows_name) USING period;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER "event_cost_rollup_insert" AFTER INSERT ON "event"
    REFERENCING NEW TABLE AS "new_events" FOR EACH STATEMENT EXECUTE FUNCTION "cost_rollup"();
CREATE TRIGGER "event_cost_rollup_delete" AFTER DELETE ON "event"
    REFERENCING OLD TABLE AS "old_events" FOR EACH STATEMENT EXECUTE FUNCTION "cost_rollup"();

-- Events indexed before this migration.
INSERT INTO "cost_hourly" ("chain_id", "bucket", "channel", "amount", "requests", "redemptions")
SELECT "chain_id", "block_timestamp" - "block_timestamp" % 3600, "channel",
       sum(("args"->>'amount')::numeric), sum(("args"->>'requests')::numeric), count(*)
FROM "event" WHERE "name" = 'Redeemed' GROUP BY 1, 2, 3;
INSERT INTO "cost_daily" ("chain_id", "bucket", "channel", "amount", "requests", "redemptions")
SELECT "chain_id", "block_timestamp" - "block_timestamp" % 86400, "channel",
       sum(("args"->>'amount')::numeric), sum(("args"->>'requests')::numeric), count(*)
FROM "event" WHERE "name" = 'Redeemed' GROUP BY 1, 2, 3;
