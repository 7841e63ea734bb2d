-- One active indexer per database (indexer/lease.ts). Every indexer process takes part in an
-- election through this row: the one whose `holder` it names, with an `expires_at` in the
-- future, leads; the others stand by and take it over once it expired or was released. Every
-- takeover adds one to `epoch` (the fencing token): the leader's writes each check, in their
-- own transaction, that the row still names it with its epoch, so a deposed leader (paused,
-- cut off) can never write after another took over. All times come from Postgres's clock.
CREATE TABLE "indexer_lease" (
    "name" TEXT NOT NULL,
    -- The leading instance's id (the last one, once its lease expired or was released).
    "holder" TEXT NOT NULL,
    "host" TEXT,
    "pid" INTEGER,
    "epoch" BIGINT NOT NULL DEFAULT 0,
    "acquired_at" TIMESTAMPTZ(3),
    "renewed_at" TIMESTAMPTZ(3),
    -- Set when the holder handed the lease over (a graceful stop sets `expires_at` to now too).
    "released_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "indexer_lease_pkey" PRIMARY KEY ("name")
);

-- Every indexer instance's own heartbeat, leader or standby, so /api/status can count the
-- standbys; a row not seen for a lease's time is gone (a graceful stop deletes its own).
CREATE TABLE "indexer_instance" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    -- 'leader' or 'standby'
    "role" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "indexer_instance_pkey" PRIMARY KEY ("id")
);
