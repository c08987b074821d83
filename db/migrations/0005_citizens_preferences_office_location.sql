ALTER TABLE `offices` ADD `latitude` decimal(9,6);--> statement-breakpoint
ALTER TABLE `offices` ADD `longitude` decimal(9,6);--> statement-breakpoint
ALTER TABLE `citizens` ADD `elder_mode` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `citizens` ADD `notify_optional` boolean DEFAULT true NOT NULL;