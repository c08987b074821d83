ALTER TABLE `attachments` ADD `uploaded_at` datetime(3) DEFAULT CURRENT_TIMESTAMP(3) NOT NULL;--> statement-breakpoint
ALTER TABLE `attachments` ADD `attached_at` datetime(3);--> statement-breakpoint
CREATE INDEX `attachments_sha_idx` ON `attachments` (`sha256`);--> statement-breakpoint
CREATE INDEX `attachments_orphan_idx` ON `attachments` (`attached_at`,`uploaded_at`);--> statement-breakpoint
-- Existing rows: the orphan clock starts at their upload.
UPDATE `attachments` SET `uploaded_at` = `created_at`;--> statement-breakpoint
-- Uploads from before this migration were never marked attached. Which application named which
-- file (answers JSON, maybe replaced by a resubmission) cannot be told exactly here, so every
-- upload of a citizen who has any application is kept as a case record.
UPDATE `attachments` SET `attached_at` = `created_at` WHERE `owner_citizen_id` IN (SELECT `citizen_id` FROM `applications`);
