CREATE TABLE `citizen_sessions` (
	`id_hash` varchar(64) NOT NULL,
	`citizen_id` bigint unsigned,
	`guest` boolean NOT NULL DEFAULT false,
	`scope` varchar(16) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_seen_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`expires_at` datetime(3) NOT NULL,
	CONSTRAINT `citizen_sessions_id_hash` PRIMARY KEY(`id_hash`)
);
--> statement-breakpoint
CREATE TABLE `oauth_code_uses` (
	`code_hash` varchar(64) NOT NULL,
	`citizen_id` bigint unsigned,
	`guest` boolean NOT NULL DEFAULT false,
	`scope` varchar(16) NOT NULL,
	`expires_at` bigint NOT NULL,
	CONSTRAINT `oauth_code_uses_code_hash` PRIMARY KEY(`code_hash`)
);
--> statement-breakpoint
CREATE TABLE `auto_reply_rules` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`trigger` varchar(16) NOT NULL,
	`match_type` varchar(16),
	`pattern` varchar(256),
	`priority` int NOT NULL DEFAULT 0,
	`enabled` boolean NOT NULL DEFAULT true,
	`reply` json NOT NULL,
	`note` varchar(128),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `auto_reply_rules_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `menu_versions` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`version` varchar(32) NOT NULL,
	`kind` varchar(16) NOT NULL DEFAULT 'default',
	`status` varchar(16) NOT NULL DEFAULT 'draft',
	`menu` json NOT NULL,
	`match_rule` json,
	`wechat_menu_id` varchar(32),
	`note` varchar(256),
	`created_by` varchar(64) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`published_by` varchar(64),
	`published_at` datetime(3),
	`publish_error` varchar(512),
	CONSTRAINT `menu_versions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `wechat_credentials` (
	`name` varchar(32) NOT NULL,
	`value` varchar(1024),
	`expires_at` bigint NOT NULL DEFAULT 0,
	`version` int unsigned NOT NULL DEFAULT 0,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `wechat_credentials_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `wechat_push_receipts` (
	`key_hash` varchar(40) NOT NULL,
	`purpose` varchar(8) NOT NULL,
	`expires_at` bigint NOT NULL,
	CONSTRAINT `wechat_push_receipts_key_hash` PRIMARY KEY(`key_hash`)
);
--> statement-breakpoint
ALTER TABLE `citizens` ADD `avatar_url` varchar(512);--> statement-breakpoint
ALTER TABLE `citizens` ADD `last_seen_at` datetime(3);--> statement-breakpoint
CREATE INDEX `citizen_sessions_citizen_idx` ON `citizen_sessions` (`citizen_id`);--> statement-breakpoint
CREATE INDEX `citizen_sessions_expires_idx` ON `citizen_sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `oauth_code_uses_expires_idx` ON `oauth_code_uses` (`expires_at`);--> statement-breakpoint
CREATE INDEX `auto_reply_rules_trigger_idx` ON `auto_reply_rules` (`trigger`,`enabled`,`priority`);--> statement-breakpoint
CREATE INDEX `menu_versions_status_idx` ON `menu_versions` (`kind`,`status`);--> statement-breakpoint
CREATE INDEX `menu_versions_version_idx` ON `menu_versions` (`version`);--> statement-breakpoint
CREATE INDEX `wechat_push_receipts_expires_idx` ON `wechat_push_receipts` (`expires_at`);