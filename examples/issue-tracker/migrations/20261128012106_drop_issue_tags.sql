-- lint:allow drop-column (labels live in issue_labels; no release reads issues.tags any more)
-- lint: error drop-column public.issues.tags: dropping column public.issues.tags (text[]) deletes its data; running code that still selects it fails
ALTER TABLE "public"."issues" DROP COLUMN "tags";
