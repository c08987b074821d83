DROP INDEX `report_citizens_first_day_idx` ON `report_citizens`;--> statement-breakpoint
ALTER TABLE `report_citizens` ADD `first_menu_version` varchar(32);--> statement-breakpoint
ALTER TABLE `report_citizens` ADD `first_entry` varchar(8);--> statement-breakpoint
CREATE INDEX `report_citizens_first_day_idx` ON `report_citizens` (`first_day`,`first_menu_version`,`first_entry`);