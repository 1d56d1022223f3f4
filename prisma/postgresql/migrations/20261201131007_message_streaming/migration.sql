-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('COMPLETE', 'STREAMING', 'CANCELLED', 'FAILED');

-- AlterTable
ALTER TABLE "ConversationMessage" ADD COLUMN     "finishReason" TEXT,
ADD COLUMN     "status" "MessageStatus" NOT NULL DEFAULT 'COMPLETE',
ADD COLUMN     "streamChunks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "streamedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ConversationMessage_status_streamedAt_idx" ON "ConversationMessage"("status", "streamedAt");
