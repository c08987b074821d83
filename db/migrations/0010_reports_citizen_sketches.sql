CREATE TABLE `report_citizen_sketches` (
	`dim_id` int unsigned NOT NULL,
	`day` date NOT NULL,
	`sketch` varbinary(4096) NOT NULL,
	CONSTRAINT `report_citizen_sketches_dim_id_day_pk` PRIMARY KEY(`dim_id`,`day`)
);
