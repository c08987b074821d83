CREATE TABLE `citizens` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`openid` varchar(64) NOT NULL,
	`unionid` varchar(64),
	`display_name` varchar(64),
	`subscribed` boolean NOT NULL DEFAULT false,
	`subscribed_at` datetime(3),
	`unsubscribed_at` datetime(3),
	`acquisition_source` varchar(64),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `citizens_id` PRIMARY KEY(`id`),
	CONSTRAINT `citizens_openid_uq` UNIQUE(`openid`)
);
--> statement-breakpoint
CREATE TABLE `seed_runs` (
	`name` varchar(64) NOT NULL,
	`applied_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `seed_runs_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `usage_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`occurred_at` bigint NOT NULL,
	`visit_id` varchar(36),
	`citizen_key` varchar(22),
	`source` varchar(8) NOT NULL,
	`kind` varchar(24) NOT NULL,
	`name` varchar(64) NOT NULL DEFAULT '',
	`menu_key` varchar(64),
	`menu_version` varchar(32),
	`outcome` varchar(24),
	`duration_ms` int unsigned,
	`props` json,
	CONSTRAINT `usage_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `usage_events_occurred_at_idx` ON `usage_events` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `usage_events_kind_occurred_at_idx` ON `usage_events` (`kind`,`occurred_at`);