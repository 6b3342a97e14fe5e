ALTER TABLE "public"."issues" ADD COLUMN "priority" smallint DEFAULT 0 NOT NULL;
