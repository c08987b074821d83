CREATE TABLE `appointment_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`appointment_id` bigint unsigned NOT NULL,
	`action` varchar(12) NOT NULL,
	`actor_type` varchar(8) NOT NULL,
	`actor_id` bigint unsigned,
	`from_slot_id` bigint unsigned,
	`to_slot_id` bigint unsigned,
	`note` varchar(255),
	`at` datetime(3) NOT NULL,
	CONSTRAINT `appointment_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `appointment_services` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`code` varchar(32) NOT NULL,
	`name` varchar(64) NOT NULL,
	`duration_minutes` smallint unsigned NOT NULL,
	`materials` json NOT NULL,
	`active` boolean NOT NULL DEFAULT true,
	`sort_order` smallint NOT NULL DEFAULT 0,
	CONSTRAINT `appointment_services_id` PRIMARY KEY(`id`),
	CONSTRAINT `appointment_services_code_uq` UNIQUE(`code`)
);
--> statement-breakpoint
CREATE TABLE `appointment_slots` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`office_id` int unsigned NOT NULL,
	`service_id` int unsigned NOT NULL,
	`day` date NOT NULL,
	`starts_at` datetime NOT NULL,
	`ends_at` datetime NOT NULL,
	`capacity` smallint unsigned NOT NULL,
	`booked` smallint unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `appointment_slots_id` PRIMARY KEY(`id`),
	CONSTRAINT `appointment_slots_uq` UNIQUE(`office_id`,`service_id`,`starts_at`)
);
--> statement-breakpoint
CREATE TABLE `appointments` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`citizen_id` bigint unsigned NOT NULL,
	`slot_id` bigint unsigned NOT NULL,
	`office_id` int unsigned NOT NULL,
	`service_id` int unsigned NOT NULL,
	`starts_at` datetime NOT NULL,
	`ends_at` datetime NOT NULL,
	`status` varchar(12) NOT NULL,
	`confirmation_code` char(8) NOT NULL,
	`active_service_key` varchar(48),
	`active_day_key` varchar(64),
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	`cancelled_at` datetime(3),
	`checked_in_at` datetime(3),
	`no_show_at` datetime(3),
	`remind_at` datetime,
	`reminded_at` datetime(3),
	CONSTRAINT `appointments_id` PRIMARY KEY(`id`),
	CONSTRAINT `appointments_code_uq` UNIQUE(`confirmation_code`),
	CONSTRAINT `appointments_active_service_uq` UNIQUE(`active_service_key`),
	CONSTRAINT `appointments_active_day_uq` UNIQUE(`active_day_key`)
);
--> statement-breakpoint
CREATE TABLE `office_closures` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`office_id` int unsigned NOT NULL,
	`from_date` date NOT NULL,
	`to_date` date NOT NULL,
	`reason` varchar(255) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `office_closures_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `office_hours` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`office_id` int unsigned NOT NULL,
	`service_id` int unsigned NOT NULL,
	`weekday` tinyint unsigned NOT NULL,
	`open_minute` smallint unsigned NOT NULL,
	`close_minute` smallint unsigned NOT NULL,
	`slot_minutes` smallint unsigned NOT NULL,
	`capacity` smallint unsigned NOT NULL,
	CONSTRAINT `office_hours_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `offices` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`address` varchar(255) NOT NULL,
	`phone` varchar(32) NOT NULL,
	`counters` smallint unsigned NOT NULL DEFAULT 1,
	`active` boolean NOT NULL DEFAULT true,
	CONSTRAINT `offices_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `appointment_events_appointment_idx` ON `appointment_events` (`appointment_id`,`at`);--> statement-breakpoint
CREATE INDEX `appointment_slots_day_idx` ON `appointment_slots` (`office_id`,`service_id`,`day`);--> statement-breakpoint
CREATE INDEX `appointments_citizen_idx` ON `appointments` (`citizen_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `appointments_slot_idx` ON `appointments` (`slot_id`);--> statement-breakpoint
CREATE INDEX `appointments_remind_idx` ON `appointments` (`remind_at`,`reminded_at`);--> statement-breakpoint
CREATE INDEX `office_closures_office_idx` ON `office_closures` (`office_id`,`from_date`);--> statement-breakpoint
CREATE INDEX `office_hours_office_service_idx` ON `office_hours` (`office_id`,`service_id`,`weekday`);