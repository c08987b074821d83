CREATE TABLE `report_citizen_sketches_tail` (
	`dim_id` int unsigned NOT NULL,
	`day` date NOT NULL,
	`sketch` varbinary(4096) NOT NULL,
	CONSTRAINT `report_sketch_tail_pk` PRIMARY KEY(`dim_id`,`day`)
);
--> statement-breakpoint
ALTER TABLE `report_state` ADD `provisional_until` bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `report_state` ADD `provisional` longblob;