-- Version 2 channels (IntermediaryV2: request categories, a price table per token ID) in the
-- index. Their events go into "event" under v1's names plus PricesAnnounced; a v2 Redeemed's
-- `args` carries `requests` and `prices` as JSON arrays of decimal strings (a v1 one: `requests`
-- as one string), which is how the SQL below tells them apart. Price history needs no table: it
-- is the channel's PricesAnnounced events (event_chain_id_channel_idx).

-- The second factory the indexer follows beside v1's (deployment row IntermediaryFactoryV2);
-- NULL while the chain has none. A change of either factory re-indexes the chain.
ALTER TABLE "indexer_state"
    ADD COLUMN "factory_v2_address" TEXT,
    ADD COLUMN "factory_v2_block" BIGINT;

ALTER TABLE "channel"
    ADD COLUMN "contract_version" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "prices" NUMERIC(78,0)[];
COMMENT ON COLUMN "channel"."prices" IS
    'v2: the price table (wei per request, per category) of the channel''s active token ID; NULL for v1';
COMMENT ON COLUMN "channel"."cost_per_request" IS
    'v1: the price per request; v2: prices[1], the first category''s active price (so v1-only readers keep working)';
COMMENT ON COLUMN "channel"."total_requests" IS
    'Requests paid by redemptions; v2: summed over the categories';

-- Requests of one Redeemed event's `args`: v1's number, or the sum of v2's counts per category.
CREATE FUNCTION "redeemed_requests"("args" JSONB) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof("args"->'requests') = 'array'
        THEN (SELECT coalesce(sum(r::numeric), 0) FROM jsonb_array_elements_text("args"->'requests') AS r)
        ELSE ("args"->>'requests')::numeric END
$$;

-- Each category's share of a v2 Redeemed's `amount` (lib/costs/categories.ts categoryShares(),
-- the same rule, checked against this by categories.test.ts): value_i = requests[i] * prices[i];
-- when amount = sum(value) (the usual case) the share is value_i; when the payment was capped at
-- the consumer's funds, floor(amount * value_i / sum(value)), and what the floors leave goes to
-- the highest category with a non-zero value, so the shares sum to `amount` to the wei. One row
-- per category with a non-zero count (prices are never 0: the contract refuses them), so a
-- category row always stands for at least one redemption. `category` is 0-based. No rows for a
-- v1 event (its `requests` is not an array).
CREATE FUNCTION "redeemed_category_shares"("args" JSONB)
RETURNS TABLE ("category" SMALLINT, "share" NUMERIC, "requests" NUMERIC)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH v AS (
        SELECT (t.i - 1)::smallint AS c, t.r::numeric AS r, t.r::numeric * t.p::numeric AS value
        FROM ROWS FROM (jsonb_array_elements_text(CASE WHEN jsonb_typeof("args"->'requests') = 'array' THEN "args"->'requests' ELSE '[]' END),
                        jsonb_array_elements_text(CASE WHEN jsonb_typeof("args"->'prices') = 'array' THEN "args"->'prices' ELSE '[]' END))
             WITH ORDINALITY AS t(r, p, i)
    ), s AS (
        SELECT sum(value) AS total, max(c) FILTER (WHERE value > 0) AS last,
               ("args"->>'amount')::numeric AS amount
        FROM v
    ), f AS (
        SELECT v.c, v.r, s.last, s.amount,
               CASE WHEN s.total = s.amount THEN v.value ELSE div(s.amount * v.value, s.total) END AS share
        FROM v, s
        WHERE v.r > 0
    )
    SELECT f.c, f.share + CASE WHEN f.c = f.last THEN f.amount - (SELECT sum(share) FROM f) ELSE 0 END, f.r
    FROM f
$$;

-- Settled spend per channel, category and UTC hour / day (bucket = the period's start, unix
-- seconds), for v2 channels: each Redeemed's category shares, counts and redemptions (those
-- with a non-zero count in the category). cost_hourly / cost_daily keep the totals of every
-- channel, v2 included.
CREATE TABLE "cost_category_hourly" (
    "chain_id" INTEGER NOT NULL,
    "bucket" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "category" SMALLINT NOT NULL,
    "amount" NUMERIC(78,0) NOT NULL,
    "requests" NUMERIC(100,0) NOT NULL,
    "redemptions" INTEGER NOT NULL,
    CONSTRAINT "cost_category_hourly_pkey" PRIMARY KEY ("chain_id", "bucket", "channel", "category")
);
CREATE INDEX "cost_category_hourly_channel_idx" ON "cost_category_hourly" ("chain_id", "channel", "bucket");

CREATE TABLE "cost_category_daily" (
    "chain_id" INTEGER NOT NULL,
    "bucket" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "category" SMALLINT NOT NULL,
    "amount" NUMERIC(78,0) NOT NULL,
    "requests" NUMERIC(100,0) NOT NULL,
    "redemptions" INTEGER NOT NULL,
    CONSTRAINT "cost_category_daily_pkey" PRIMARY KEY ("chain_id", "bucket", "channel", "category")
);
CREATE INDEX "cost_category_daily_channel_idx" ON "cost_category_daily" ("chain_id", "channel", "bucket");

-- 0004's rollup, array-aware: totals count a v2 Redeemed's summed requests, and v2 Redeemed
-- rows also go to the category rollups. Still one statement per period and transition table
-- (rows an ON CONFLICT DO NOTHING skipped are not in it, so nothing counts twice): the
-- Redeemed rows are read from the transition table once (`r`) and feed both rollups, and the
-- category part only works on rows whose `requests` is an array, so a v1-only write adds two
-- jsonb_typeof per Redeemed row and no function call.
CREATE OR REPLACE FUNCTION "cost_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows_name TEXT := CASE TG_OP WHEN 'INSERT' THEN 'new_events' ELSE 'old_events' END;
    sign INTEGER := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
    period BIGINT;
    target TEXT;
    by_category TEXT;
BEGIN
    FOREACH period IN ARRAY ARRAY[3600, 86400] LOOP
        target := CASE period WHEN 3600 THEN 'cost_hourly' ELSE 'cost_daily' END;
        by_category := CASE period WHEN 3600 THEN 'cost_category_hourly' ELSE 'cost_category_daily' END;
        EXECUTE format(
            'WITH r AS MATERIALIZED (
                 SELECT "chain_id", "block_timestamp" - "block_timestamp" %% $1 AS "bucket", "channel", "args"
                 FROM %I WHERE "name" = ''Redeemed''
             ), totals AS (
                 INSERT INTO %I AS t ("chain_id", "bucket", "channel", "amount", "requests", "redemptions")
                 SELECT "chain_id", "bucket", "channel",
                        $2 * sum(("args"->>''amount'')::numeric),
                        -- v1''s number read in place: no function call per v1 row.
                        $2 * sum(CASE WHEN jsonb_typeof("args"->''requests'') = ''array''
                                      THEN redeemed_requests("args") ELSE ("args"->>''requests'')::numeric END),
                        $2 * count(*)
                 FROM r GROUP BY 1, 2, 3
                 ON CONFLICT ("chain_id", "bucket", "channel") DO UPDATE SET
                     "amount" = t."amount" + EXCLUDED."amount",
                     "requests" = t."requests" + EXCLUDED."requests",
                     "redemptions" = t."redemptions" + EXCLUDED."redemptions"
             )
             INSERT INTO %I AS t ("chain_id", "bucket", "channel", "category", "amount", "requests", "redemptions")
             SELECT r."chain_id", r."bucket", r."channel", s."category",
                    $2 * sum(s."share"), $2 * sum(s."requests"), $2 * count(*)
             FROM r CROSS JOIN LATERAL redeemed_category_shares(r."args") AS s
             WHERE jsonb_typeof(r."args"->''requests'') = ''array''
             GROUP BY 1, 2, 3, 4
             ON CONFLICT ("chain_id", "bucket", "channel", "category") DO UPDATE SET
                 "amount" = t."amount" + EXCLUDED."amount",
                 "requests" = t."requests" + EXCLUDED."requests",
                 "redemptions" = t."redemptions" + EXCLUDED."redemptions"',
            rows_name, target, by_category) USING period, sign;
        IF sign < 0 THEN
            EXECUTE format(
                'DELETE FROM %I AS t USING (SELECT DISTINCT "chain_id", "block_timestamp" - "block_timestamp" %% $1 AS "bucket", "channel"
                                            FROM %I WHERE "name" = ''Redeemed'') AS d
                 WHERE t."chain_id" = d."chain_id" AND t."bucket" = d."bucket" AND t."channel" = d."channel"
                   AND t."redemptions" <= 0',
                target, rows_name) USING period;
            EXECUTE format(
                'DELETE FROM %I AS t USING (SELECT DISTINCT "chain_id", "block_timestamp" - "block_timestamp" %% $1 AS "bucket", "channel"
                                            FROM %I WHERE "name" = ''Redeemed'' AND jsonb_typeof("args"->''requests'') = ''array'') AS d
                 WHERE t."chain_id" = d."chain_id" AND t."bucket" = d."bucket" AND t."channel" = d."channel"
                   AND t."redemptions" <= 0',
                by_category, rows_name) USING period;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

-- Category names are off-chain: the Payment Server's names (payment_channel.categories) and,
-- per category, the lowercase address of the origin consumer it traces (category_origins, same
-- length; '' for a category tracing none, as Prisma cannot read NULL elements of a String[],
-- and NULL in channel_category; filled by the Payment Server). A channel without rows is shown
-- as "category 1", "category 2", ... (1-based for people; `category` here is 0-based).
ALTER TABLE "payment_channel" ADD COLUMN "category_origins" TEXT[];

CREATE TABLE "channel_category" (
    "chain_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "category" SMALLINT NOT NULL,
    "name" TEXT NOT NULL,
    "origin" TEXT,
    CONSTRAINT "channel_category_pkey" PRIMARY KEY ("chain_id", "channel", "category")
);

-- The channel's rows follow its payment_channel row's arrays: one per name, extra rows removed.
CREATE FUNCTION "channel_category_from_payment"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "channel_category"
    WHERE "chain_id" = NEW."chain_id" AND "channel" = lower(NEW."address")
      AND "category" >= coalesce(cardinality(NEW."categories"), 0);
    INSERT INTO "channel_category" ("chain_id", "channel", "category", "name", "origin")
    SELECT NEW."chain_id", lower(NEW."address"), (t.i - 1)::smallint, t.name, NULLIF(lower(NEW."category_origins"[t.i]), '')
    FROM unnest(NEW."categories") WITH ORDINALITY AS t(name, i)
    ON CONFLICT ("chain_id", "channel", "category") DO UPDATE SET
        "name" = EXCLUDED."name", "origin" = EXCLUDED."origin";
    RETURN NULL;
END $$;
CREATE TRIGGER "payment_channel_category" AFTER INSERT OR UPDATE OF "categories", "category_origins"
    ON "payment_channel" FOR EACH ROW EXECUTE FUNCTION "channel_category_from_payment"();

-- Rows that exist already.
INSERT INTO "channel_category" ("chain_id", "channel", "category", "name", "origin")
SELECT p."chain_id", lower(p."address"), (t.i - 1)::smallint, t.name, NULL
FROM "payment_channel" AS p CROSS JOIN LATERAL unnest(p."categories") WITH ORDINALITY AS t(name, i)
ON CONFLICT DO NOTHING;
INSERT INTO "cost_category_hourly" ("chain_id", "bucket", "channel", "category", "amount", "requests", "redemptions")
SELECT e."chain_id", e."block_timestamp" - e."block_timestamp" % 3600, e."channel", s."category",
       sum(s."share"), sum(s."requests"), count(*)
FROM "event" AS e CROSS JOIN LATERAL redeemed_category_shares(e."args") AS s
WHERE e."name" = 'Redeemed' AND jsonb_typeof(e."args"->'requests') = 'array'
GROUP BY 1, 2, 3, 4;
INSERT INTO "cost_category_daily" ("chain_id", "bucket", "channel", "category", "amount", "requests", "redemptions")
SELECT e."chain_id", e."block_timestamp" - e."block_timestamp" % 86400, e."channel", s."category",
       sum(s."share"), sum(s."requests"), count(*)
FROM "event" AS e CROSS JOIN LATERAL redeemed_category_shares(e."args") AS s
WHERE e."name" = 'Redeemed' AND jsonb_typeof(e."args"->'requests') = 'array'
GROUP BY 1, 2, 3, 4;
