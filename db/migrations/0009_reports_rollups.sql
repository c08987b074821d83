CREATE TABLE `report_citizens` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`citizen_key` varchar(22) NOT NULL,
	`first_day` date NOT NULL,
	`first_seen_at` bigint NOT NULL,
	CONSTRAINT `report_citizens_id` PRIMARY KEY(`id`),
	CONSTRAINT `report_citizens_key_uq` UNIQUE(`citizen_key`)
);
--> statement-breakpoint
CREATE TABLE `report_day_citizens` (
	`dim_id` int unsigned NOT NULL,
	`day` date NOT NULL,
	`citizen_id` int unsigned NOT NULL,
	CONSTRAINT `report_day_citizens_pk` PRIMARY KEY(`dim_id`,`day`,`citizen_id`)
);
--> statement-breakpoint
CREATE TABLE `report_dims` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`dim` varchar(120) NOT NULL,
	CONSTRAINT `report_dims_id` PRIMARY KEY(`id`),
	CONSTRAINT `report_dims_dim_uq` UNIQUE(`dim`)
);
--> statement-breakpoint
CREATE TABLE `report_event_daily` (
	`kind` varchar(24) NOT NULL,
	`day` date NOT NULL,
	`source` varchar(8) NOT NULL,
	`name` varchar(64) NOT NULL,
	`menu_key` varchar(64) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`entry` varchar(8) NOT NULL,
	`detail` varchar(100) NOT NULL,
	`events` int unsigned NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_event_daily_pk` PRIMARY KEY(`kind`,`day`,`source`,`name`,`menu_key`,`menu_version`,`entry`,`detail`)
);
--> statement-breakpoint
CREATE TABLE `report_funnel_daily` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`funnel` varchar(16) NOT NULL,
	`step` tinyint NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_funnel_daily_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`funnel`,`step`)
);
--> statement-breakpoint
CREATE TABLE `report_hourly_visits` (
	`day` date NOT NULL,
	`hour` tinyint NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_hourly_visits_pk` PRIMARY KEY(`day`,`hour`,`entry`,`menu_version`)
);
--> statement-breakpoint
CREATE TABLE `report_path_daily` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`path` varchar(255) NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_path_daily_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`path`)
);
--> statement-breakpoint
CREATE TABLE `report_state` (
	`name` varchar(32) NOT NULL,
	`visits_until` bigint NOT NULL,
	`last_event_id` bigint unsigned NOT NULL DEFAULT 0,
	`late_events` bigint NOT NULL DEFAULT 0,
	`retained_before` bigint NOT NULL DEFAULT 0,
	`runs` int unsigned NOT NULL DEFAULT 0,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `report_state_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `report_steps_daily` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`steps` smallint NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_steps_daily_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`steps`)
);
--> statement-breakpoint
CREATE TABLE `report_task_daily` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`task` varchar(64) NOT NULL,
	`started` int unsigned NOT NULL,
	`completed` int unsigned NOT NULL,
	`failed` int unsigned NOT NULL,
	CONSTRAINT `report_task_daily_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`task`)
);
--> statement-breakpoint
CREATE TABLE `report_task_durations` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`task` varchar(64) NOT NULL,
	`bucket` smallint NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_task_durations_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`task`,`bucket`)
);
--> statement-breakpoint
CREATE TABLE `report_transition_daily` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`from_page` varchar(64) NOT NULL,
	`to_page` varchar(64) NOT NULL,
	`moves` int unsigned NOT NULL,
	CONSTRAINT `report_transition_daily_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`from_page`,`to_page`)
);
--> statement-breakpoint
CREATE TABLE `report_visit_daily` (
	`day` date NOT NULL,
	`entry` varchar(8) NOT NULL,
	`menu_version` varchar(32) NOT NULL,
	`visit_class` varchar(12) NOT NULL,
	`visits` int unsigned NOT NULL,
	CONSTRAINT `report_visit_daily_pk` PRIMARY KEY(`day`,`entry`,`menu_version`,`visit_class`)
);
--> statement-breakpoint
CREATE TABLE `report_visits` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`actor_key` varchar(40) NOT NULL,
	`started_at` bigint NOT NULL,
	`ended_at` bigint NOT NULL,
	`day` date NOT NULL,
	`open` boolean NOT NULL,
	`entry` varchar(8) NOT NULL,
	`entry_menu_key` varchar(64),
	`menu_version` varchar(32),
	`landing_page` varchar(64),
	`events` int unsigned NOT NULL,
	`screens` int unsigned NOT NULL,
	`steps_to_task` smallint unsigned,
	`first_task` varchar(64),
	`visit_class` varchar(12) NOT NULL,
	`tasks_started` varchar(1000) NOT NULL DEFAULT '',
	`tasks_completed` varchar(1000) NOT NULL DEFAULT '',
	CONSTRAINT `report_visits_id` PRIMARY KEY(`id`),
	CONSTRAINT `report_visits_actor_start_uq` UNIQUE(`actor_key`,`started_at`)
);
--> statement-breakpoint
CREATE INDEX `report_citizens_first_day_idx` ON `report_citizens` (`first_day`);--> statement-breakpoint
CREATE INDEX `report_visits_open_idx` ON `report_visits` (`open`,`started_at`);--> statement-breakpoint
CREATE INDEX `report_visits_day_idx` ON `report_visits` (`day`);