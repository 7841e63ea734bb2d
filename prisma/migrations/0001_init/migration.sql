-- CreateTable
CREATE TABLE "deployment" (
    "chain_id" INTEGER NOT NULL,
    "contract" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT NOT NULL,
    "tx_hash" TEXT,
    "genesis_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_pkey" PRIMARY KEY ("chain_id","contract")
);
