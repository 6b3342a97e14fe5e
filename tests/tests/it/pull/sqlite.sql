-- The SQLite database of tests/tests/it/pull.rs: every attribute kind SQLite has, written by
-- hand; its enums are checks as the tool writes them ("role" IN ('admin', 'member')).
CREATE TABLE "user" (
    "id" integer PRIMARY KEY NOT NULL,
    "email" text NOT NULL,
    "displayName" text,
    "createdAt" text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "karma" integer NOT NULL DEFAULT 0,
    "role" text NOT NULL DEFAULT 'member',
    CONSTRAINT "user_email_key" UNIQUE ("email"),
    CONSTRAINT "user_karma_check" CHECK (karma >= 0),
    CONSTRAINT "user_role_check" CHECK ("role" IN ('admin', 'member'))
);
CREATE TABLE "order" (
    "region" integer NOT NULL,
    "number" integer NOT NULL,
    "user_id" integer NOT NULL,
    "state" text NOT NULL DEFAULT 'open',
    "type" text,
    CONSTRAINT "order_pk" PRIMARY KEY ("region", "number"),
    CONSTRAINT "order_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT,
    CONSTRAINT "order_state_check" CHECK ("state" IN ('open', 'paid', 'Cancelled'))
);
CREATE TABLE "order_line" (
    "id" integer PRIMARY KEY NOT NULL,
    "order_region" integer NOT NULL,
    "order_number" integer NOT NULL,
    "sku" text,
    "price" real NOT NULL,
    "quantity" integer NOT NULL DEFAULT 1,
    "total" real GENERATED ALWAYS AS (price * quantity) VIRTUAL,
    CONSTRAINT "order_line_order_fk" FOREIGN KEY ("order_region", "order_number")
        REFERENCES "order" ("region", "number") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "order_line_sku_key" UNIQUE ("order_region", "order_number", "sku")
);
CREATE TABLE "tag" ("id" integer PRIMARY KEY NOT NULL, "name" text NOT NULL);
CREATE TABLE "post" (
    "id" integer PRIMARY KEY NOT NULL,
    "author_id" integer,
    "title" text NOT NULL,
    "score" real,
    "slug" text NOT NULL,
    "body" blob,
    CONSTRAINT "post_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "user" ("id") ON DELETE SET NULL
);
CREATE UNIQUE INDEX "post_slug_live_idx" ON "post" ("slug") WHERE score IS NOT NULL;
CREATE INDEX "post_title_lower_idx" ON "post" (lower(title));
CREATE INDEX "post_author_idx" ON "post" ("author_id" DESC);
CREATE TABLE "post_tag" (
    "post_id" integer NOT NULL,
    "tag_id" integer NOT NULL,
    CONSTRAINT "post_tag_pkey" PRIMARY KEY ("post_id", "tag_id"),
    CONSTRAINT "post_tag_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "post" ("id") ON DELETE CASCADE,
    CONSTRAINT "post_tag_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tag" ("id") ON DELETE CASCADE
);
CREATE TABLE "event" ("id" integer PRIMARY KEY NOT NULL, "at" text NOT NULL, "payload" text);
CREATE TABLE "note" ("id" integer PRIMARY KEY NOT NULL, "owner" text NOT NULL, "body" text NOT NULL DEFAULT 'x');
CREATE TABLE "settings" ("key" text PRIMARY KEY NOT NULL, "value" text, "bytes" blob);
CREATE TABLE "Line Item" ("ID" integer PRIMARY KEY NOT NULL, "2fa" integer NOT NULL DEFAULT 0, "self" text);
CREATE INDEX "user_created_idx" ON "user" ("createdAt" DESC, "displayName");
CREATE TABLE "review" (
    "id" integer PRIMARY KEY NOT NULL,
    "post_id" integer NOT NULL,
    "Rating" integer NOT NULL DEFAULT 3,
    "comment" text NOT NULL DEFAULT 'it''s fine',
    "status" text NOT NULL DEFAULT 'on hold',
    CONSTRAINT "review_post_fk" FOREIGN KEY ("post_id") REFERENCES "post" ("id") ON DELETE CASCADE ON UPDATE RESTRICT,
    CONSTRAINT "review_rating_range" CHECK ("Rating" BETWEEN 1 AND 5),
    CONSTRAINT "review_status_check" CHECK ("status" IN ('on hold', 'in-transit', 'done'))
);
CREATE TABLE "kv" ("k" text PRIMARY KEY NOT NULL, "v" integer) STRICT, WITHOUT ROWID;
CREATE TABLE "legacy" (
    "id" INTEGER PRIMARY KEY NOT NULL,
    "n" INT NOT NULL,
    "name" VARCHAR(255),
    "done" BOOLEAN NOT NULL DEFAULT 0,
    "price" DECIMAL(10,2),
    "big" BIGINT,
    "amount" NUMERIC,
    "code" CHAR(3),
    "ratio" DOUBLE
);
CREATE TRIGGER "order_touch" AFTER UPDATE ON "order" BEGIN SELECT 1; END;
CREATE VIEW "open_orders" AS SELECT region, number FROM "order" WHERE state = 'open';
