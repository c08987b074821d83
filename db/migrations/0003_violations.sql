CREATE TABLE `driver_licences` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`licence_no_hash` char(64) NOT NULL,
	`licence_no_masked` varchar(32) NOT NULL,
	`vehicle_class` varchar(16) NOT NULL,
	`citizen_id` bigint unsigned,
	`points_in_cycle` smallint unsigned NOT NULL DEFAULT 0,
	`cycle_start` date NOT NULL,
	`cycle_end` date NOT NULL,
	`status` varchar(16) NOT NULL DEFAULT 'normal',
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `driver_licences_id` PRIMARY KEY(`id`),
	CONSTRAINT `driver_licences_no_uq` UNIQUE(`licence_no_hash`),
	CONSTRAINT `driver_licences_citizen_uq` UNIQUE(`citizen_id`)
);
--> statement-breakpoint
CREATE TABLE `vehicle_bindings` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`citizen_id` bigint unsigned NOT NULL,
	`vehicle_id` bigint unsigned NOT NULL,
	`verified_at` datetime(3) NOT NULL,
	CONSTRAINT `vehicle_bindings_id` PRIMARY KEY(`id`),
	CONSTRAINT `vehicle_bindings_citizen_vehicle_uq` UNIQUE(`citizen_id`,`vehicle_id`)
);
--> statement-breakpoint
CREATE TABLE `vehicles` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`plate_type` char(2) NOT NULL,
	`plate_no` varchar(10) NOT NULL,
	`vin` varchar(17),
	`engine_no` varchar(32),
	`owner_name` varchar(64),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `vehicles_id` PRIMARY KEY(`id`),
	CONSTRAINT `vehicles_plate_uq` UNIQUE(`plate_type`,`plate_no`)
);
--> statement-breakpoint
CREATE TABLE `violation_behaviours` (
	`code` varchar(8) NOT NULL,
	`text` varchar(255) NOT NULL,
	`points` tinyint unsigned NOT NULL,
	`fine_yuan` int unsigned NOT NULL,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `violation_behaviours_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE TABLE `violation_lookup_limits` (
	`key` varchar(64) NOT NULL,
	`failures` int unsigned NOT NULL,
	`window_start` datetime(3) NOT NULL,
	`blocked_until` datetime(3),
	CONSTRAINT `violation_lookup_limits_key` PRIMARY KEY(`key`)
);
--> statement-breakpoint
CREATE TABLE `violations` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`vehicle_id` bigint unsigned NOT NULL,
	`plate_type` char(2) NOT NULL,
	`plate_no` varchar(10) NOT NULL,
	`occurred_at` datetime NOT NULL,
	`location` varchar(255) NOT NULL,
	`behaviour_code` varchar(8) NOT NULL,
	`behaviour_text` varchar(255) NOT NULL,
	`points` tinyint unsigned NOT NULL,
	`fine_yuan` int unsigned NOT NULL,
	`authority` varchar(128),
	`status` varchar(12) NOT NULL,
	`paid_at` datetime,
	`decision_no` varchar(32),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `violations_id` PRIMARY KEY(`id`),
	CONSTRAINT `violations_record_uq` UNIQUE(`plate_type`,`plate_no`,`occurred_at`,`behaviour_code`)
);
--> statement-breakpoint
CREATE INDEX `vehicle_bindings_vehicle_idx` ON `vehicle_bindings` (`vehicle_id`);--> statement-breakpoint
CREATE INDEX `violations_vehicle_time_idx` ON `violations` (`vehicle_id`,`occurred_at`);