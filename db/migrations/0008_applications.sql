CREATE TABLE `application_notes` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`application_id` bigint unsigned NOT NULL,
	`staff_id` bigint unsigned NOT NULL,
	`text` varchar(2000) NOT NULL,
	`at` datetime(3) NOT NULL,
	CONSTRAINT `application_notes_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `application_ratings` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`application_id` bigint unsigned NOT NULL,
	`citizen_id` bigint unsigned NOT NULL,
	`stage` varchar(12) NOT NULL,
	`score` tinyint unsigned NOT NULL,
	`comment` varchar(500) NOT NULL DEFAULT '',
	`at` datetime(3) NOT NULL,
	CONSTRAINT `application_ratings_id` PRIMARY KEY(`id`),
	CONSTRAINT `application_ratings_stage_uq` UNIQUE(`application_id`,`stage`)
);
--> statement-breakpoint
CREATE TABLE `application_transitions` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`application_id` bigint unsigned NOT NULL,
	`seq` int unsigned NOT NULL,
	`from_status` varchar(12),
	`to_status` varchar(12) NOT NULL,
	`actor_type` varchar(8) NOT NULL,
	`actor_id` bigint unsigned,
	`note` varchar(500),
	`at` datetime(3) NOT NULL,
	CONSTRAINT `application_transitions_id` PRIMARY KEY(`id`),
	CONSTRAINT `application_transitions_seq_uq` UNIQUE(`application_id`,`seq`)
);
--> statement-breakpoint
CREATE TABLE `application_types` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`code` varchar(32) NOT NULL,
	`name` varchar(64) NOT NULL,
	`description` varchar(1000) NOT NULL,
	`form_schema` json NOT NULL,
	`materials` json NOT NULL,
	`time_limit_days` smallint unsigned NOT NULL,
	`handling_role` varchar(16) NOT NULL,
	`active` boolean NOT NULL DEFAULT true,
	`sort_order` smallint NOT NULL DEFAULT 0,
	CONSTRAINT `application_types_id` PRIMARY KEY(`id`),
	CONSTRAINT `application_types_code_uq` UNIQUE(`code`)
);
--> statement-breakpoint
CREATE TABLE `applications` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`application_no` varchar(24) NOT NULL,
	`citizen_id` bigint unsigned NOT NULL,
	`type_id` int unsigned NOT NULL,
	`status` varchar(12) NOT NULL,
	`answers` json NOT NULL,
	`attachment_ids` json NOT NULL,
	`transition_seq` int unsigned NOT NULL DEFAULT 0,
	`assignee_staff_id` bigint unsigned,
	`reason` varchar(500),
	`submitted_at` datetime(3) NOT NULL,
	`accepted_at` datetime(3),
	`decided_at` datetime(3),
	`completed_at` datetime(3),
	`withdrawn_at` datetime(3),
	`due_on` date NOT NULL,
	`due_before` datetime NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `applications_id` PRIMARY KEY(`id`),
	CONSTRAINT `applications_no_uq` UNIQUE(`application_no`)
);
--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`owner_citizen_id` bigint unsigned NOT NULL,
	`sha256` char(64) NOT NULL,
	`mime` varchar(32) NOT NULL,
	`size` int unsigned NOT NULL,
	`filename` varchar(128) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `attachments_id` PRIMARY KEY(`id`),
	CONSTRAINT `attachments_owner_sha_uq` UNIQUE(`owner_citizen_id`,`sha256`)
);
--> statement-breakpoint
CREATE TABLE `rating_follow_ups` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`rating_id` bigint unsigned NOT NULL,
	`application_id` bigint unsigned NOT NULL,
	`status` varchar(8) NOT NULL,
	`due_on` date NOT NULL,
	`due_before` datetime NOT NULL,
	`response` text,
	`closed_by_staff_id` bigint unsigned,
	`closed_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `rating_follow_ups_id` PRIMARY KEY(`id`),
	CONSTRAINT `rating_follow_ups_rating_uq` UNIQUE(`rating_id`)
);
--> statement-breakpoint
CREATE INDEX `application_notes_application_idx` ON `application_notes` (`application_id`,`at`);--> statement-breakpoint
CREATE INDEX `applications_citizen_idx` ON `applications` (`citizen_id`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `applications_status_idx` ON `applications` (`status`,`due_before`);--> statement-breakpoint
CREATE INDEX `applications_assignee_idx` ON `applications` (`assignee_staff_id`,`status`);--> statement-breakpoint
CREATE INDEX `rating_follow_ups_status_idx` ON `rating_follow_ups` (`status`,`due_before`);