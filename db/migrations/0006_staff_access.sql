CREATE TABLE `audit_entries` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`at` datetime(3) NOT NULL,
	`actor_type` varchar(16) NOT NULL,
	`actor_id` bigint unsigned,
	`actor_name` varchar(64),
	`action` varchar(64) NOT NULL,
	`subject_type` varchar(32) NOT NULL,
	`subject_id` varchar(64) NOT NULL,
	`detail` json,
	CONSTRAINT `audit_entries_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `staff_accounts` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`username` varchar(32) NOT NULL,
	`display_name` varchar(64) NOT NULL,
	`role` varchar(16) NOT NULL,
	`password_hash` varchar(255) NOT NULL,
	`disabled` boolean NOT NULL DEFAULT false,
	`password_changed_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_login_at` datetime(3),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `staff_accounts_id` PRIMARY KEY(`id`),
	CONSTRAINT `staff_accounts_username_uq` UNIQUE(`username`)
);
--> statement-breakpoint
CREATE TABLE `staff_login_throttle` (
	`key_hash` varchar(64) NOT NULL,
	`window_started_at` datetime(3) NOT NULL,
	`attempts` int unsigned NOT NULL DEFAULT 0,
	`failures` int unsigned NOT NULL DEFAULT 0,
	`locked_until` datetime(3),
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `staff_login_throttle_key_hash` PRIMARY KEY(`key_hash`)
);
--> statement-breakpoint
CREATE TABLE `staff_sessions` (
	`id_hash` varchar(64) NOT NULL,
	`staff_id` bigint unsigned NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`last_seen_at` datetime(3) NOT NULL,
	`expires_at` datetime(3) NOT NULL,
	`ip` varchar(64),
	`user_agent` varchar(255),
	CONSTRAINT `staff_sessions_id_hash` PRIMARY KEY(`id_hash`)
);
--> statement-breakpoint
CREATE INDEX `audit_entries_at_idx` ON `audit_entries` (`at`);--> statement-breakpoint
CREATE INDEX `audit_entries_actor_idx` ON `audit_entries` (`actor_type`,`actor_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_entries_subject_idx` ON `audit_entries` (`subject_type`,`subject_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_entries_action_idx` ON `audit_entries` (`action`,`at`);--> statement-breakpoint
CREATE INDEX `staff_login_throttle_updated_idx` ON `staff_login_throttle` (`updated_at`);--> statement-breakpoint
CREATE INDEX `staff_sessions_staff_idx` ON `staff_sessions` (`staff_id`);--> statement-breakpoint
CREATE INDEX `staff_sessions_expires_idx` ON `staff_sessions` (`expires_at`);