CREATE TABLE "accounts" (
	"id" integer NOT NULL,
	"email" text NOT NULL,
	"display_name" text NOT NULL,
	"active" integer DEFAULT true NOT NULL,
	"created_at" text DEFAULT CURRENT_TIMESTAMP NOT NULL,
	CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "accounts_email_key" UNIQUE ("email")
);
--> statement-breakpoint
CREATE TABLE "comments" (
	"id" integer NOT NULL,
	"issue_id" integer NOT NULL,
	"author_id" integer NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "comments_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "accounts"("id") ON DELETE RESTRICT,
	CONSTRAINT "comments_issue_id_fkey" FOREIGN KEY ("issue_id") REFERENCES "issues"("id") ON DELETE CASCADE
);
--> statement-breakpoint
CREATE TABLE "issue_labels" (
	"issue_id" integer NOT NULL,
	"label" text NOT NULL,
	CONSTRAINT "issue_labels_pkey" PRIMARY KEY ("issue_id", "label"),
	CONSTRAINT "issue_labels_issue_id_fkey" FOREIGN KEY ("issue_id") REFERENCES "issues"("id") ON DELETE CASCADE
);
--> statement-breakpoint
CREATE TABLE "issues" (
	"id" integer NOT NULL,
	"project_id" integer NOT NULL,
	"assignee_id" integer,
	"title" text NOT NULL,
	"body" text,
	"state" text DEFAULT 'open' NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"created_at" text DEFAULT CURRENT_TIMESTAMP NOT NULL,
	CONSTRAINT "issues_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "issues_title_check" CHECK (length(title) > 0),
	CONSTRAINT "issues_state_check" CHECK ("state" IN ('open', 'in_progress', 'closed')),
	CONSTRAINT "issues_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "accounts"("id") ON DELETE SET NULL,
	CONSTRAINT "issues_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" integer NOT NULL,
	"owner_id" integer NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"archived" integer DEFAULT false NOT NULL,
	CONSTRAINT "projects_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "projects_owner_id_slug_key" UNIQUE ("owner_id", "slug"),
	CONSTRAINT "projects_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "accounts"("id") ON DELETE CASCADE
);
--> statement-breakpoint
CREATE INDEX "accounts_created_at_idx" ON "accounts" ("created_at");
--> statement-breakpoint
CREATE INDEX "comments_issue_id_idx" ON "comments" ("issue_id");
--> statement-breakpoint
CREATE INDEX "issues_open_idx" ON "issues" ("project_id") WHERE state <> 'closed';
--> statement-breakpoint
CREATE INDEX "issues_project_id_state_idx" ON "issues" ("project_id", "state");
