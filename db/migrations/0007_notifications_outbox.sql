CREATE TABLE `notification_control` (
	`name` varchar(32) NOT NULL,
	`paused_until` datetime(3),
	`reason` varchar(64),
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `notification_control_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `notification_receipts` (
	`msgid` varchar(32) NOT NULL,
	`status` varchar(64) NOT NULL,
	`received_at` datetime(3) NOT NULL,
	CONSTRAINT `notification_receipts_msgid` PRIMARY KEY(`msgid`)
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`dedupe_key` varchar(191) NOT NULL,
	`citizen_id` bigint unsigned NOT NULL,
	`kind` varchar(40) NOT NULL,
	`payload` json NOT NULL,
	`essential` boolean NOT NULL,
	`status` varchar(20) NOT NULL DEFAULT 'queued',
	`attempts` smallint unsigned NOT NULL DEFAULT 0,
	`next_attempt_at` datetime(3) NOT NULL,
	`claim_owner` varchar(64),
	`claim_expires_at` datetime(3),
	`template_id` varchar(64),
	`msgid` varchar(32),
	`last_error_code` varchar(48),
	`last_error_message` varchar(255),
	`queued_at` datetime(3) NOT NULL,
	`sent_at` datetime(3),
	`delivered_at` datetime(3),
	`finished_at` datetime(3),
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `notifications_id` PRIMARY KEY(`id`),
	CONSTRAINT `notifications_dedupe_uq` UNIQUE(`dedupe_key`)
);
--> statement-breakpoint
CREATE INDEX `notifications_due_idx` ON `notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notifications_msgid_idx` ON `notifications` (`msgid`);--> statement-breakpoint
CREATE INDEX `notifications_citizen_idx` ON `notifications` (`citizen_id`,`queued_at`);--> statement-breakpoint
CREATE INDEX `notifications_kind_idx` ON `notifications` (`kind`,`queued_at`);