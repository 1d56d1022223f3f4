-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ConversationMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "metadata" JSONB,
    "timestamp" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authorId" TEXT NOT NULL,
    "editedAt" DATETIME,
    "clientMessageId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'COMPLETE',
    "finishReason" TEXT,
    "streamChunks" INTEGER NOT NULL DEFAULT 0,
    "streamedAt" DATETIME,
    CONSTRAINT "ConversationMessage_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "ChatSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ConversationMessage" ("authorId", "clientMessageId", "content", "editedAt", "id", "metadata", "role", "seq", "sessionId", "timestamp") SELECT "authorId", "clientMessageId", "content", "editedAt", "id", "metadata", "role", "seq", "sessionId", "timestamp" FROM "ConversationMessage";
DROP TABLE "ConversationMessage";
ALTER TABLE "new_ConversationMessage" RENAME TO "ConversationMessage";
CREATE INDEX "ConversationMessage_status_streamedAt_idx" ON "ConversationMessage"("status", "streamedAt");
CREATE UNIQUE INDEX "ConversationMessage_sessionId_seq_key" ON "ConversationMessage"("sessionId", "seq");
CREATE UNIQUE INDEX "ConversationMessage_sessionId_clientMessageId_key" ON "ConversationMessage"("sessionId", "clientMessageId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
