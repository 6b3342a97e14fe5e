-- The MySQL/MariaDB database of tests/tests/it/pull.rs: every attribute kind MySQL has,
-- written by hand; its enums are `enum(..)` column types.
CREATE TABLE `user` (
    `id` bigint NOT NULL AUTO_INCREMENT,
    `email` varchar(255) NOT NULL,
    `displayName` varchar(80),
    `createdAt` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    `karma` int NOT NULL DEFAULT 0,
    `active` tinyint(1) NOT NULL DEFAULT 1,
    `role` enum('admin','member') NOT NULL DEFAULT 'member',
    PRIMARY KEY (`id`),
    UNIQUE KEY `user_email_key` (`email`),
    CONSTRAINT `user_karma_check` CHECK (`karma` >= 0)
);
CREATE TABLE `order` (
    `region` int NOT NULL,
    `number` bigint NOT NULL,
    `user_id` bigint NOT NULL,
    `state` enum('open','paid','Cancelled') NOT NULL DEFAULT 'open',
    `type` text,
    PRIMARY KEY (`region`, `number`),
    KEY `order_user_id_fkey` (`user_id`),
    CONSTRAINT `order_user_id_fkey` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE RESTRICT
);
CREATE TABLE `order_line` (
    `id` int NOT NULL AUTO_INCREMENT,
    `order_region` int NOT NULL,
    `order_number` bigint NOT NULL,
    `sku` varchar(64),
    `price` decimal(10,2) NOT NULL,
    `quantity` int NOT NULL DEFAULT 1,
    `total` decimal(20,2) GENERATED ALWAYS AS (`price` * `quantity`) STORED,
    PRIMARY KEY (`id`),
    UNIQUE KEY `order_line_sku_key` (`order_region`, `order_number`, `sku`),
    CONSTRAINT `order_line_order_fk` FOREIGN KEY (`order_region`, `order_number`)
        REFERENCES `order` (`region`, `number`) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE `tag` (`id` smallint NOT NULL, `name` varchar(100) NOT NULL, PRIMARY KEY (`id`));
CREATE TABLE `post` (
    `id` bigint NOT NULL AUTO_INCREMENT,
    `author_id` bigint,
    `title` varchar(200) NOT NULL,
    `score` double,
    `slug` varchar(200) NOT NULL,
    `body` json,
    `published_on` date,
    PRIMARY KEY (`id`),
    UNIQUE KEY `post_slug_idx` (`slug`),
    KEY `post_author_idx` (`author_id`),
    KEY `post_score_idx` (`score` DESC),
    CONSTRAINT `post_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `user` (`id`) ON DELETE SET NULL
);
CREATE TABLE `post_tag` (
    `post_id` bigint NOT NULL,
    `tag_id` smallint NOT NULL,
    PRIMARY KEY (`post_id`, `tag_id`),
    KEY `post_tag_tag_id_fkey` (`tag_id`),
    CONSTRAINT `post_tag_post_id_fkey` FOREIGN KEY (`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE,
    CONSTRAINT `post_tag_tag_id_fkey` FOREIGN KEY (`tag_id`) REFERENCES `tag` (`id`) ON DELETE CASCADE
);
CREATE TABLE `event` (`id` bigint NOT NULL, `at` datetime NOT NULL, `payload` text, PRIMARY KEY (`id`));
CREATE TABLE `note` (`id` bigint NOT NULL, `owner` varchar(64) NOT NULL, `body` varchar(255) NOT NULL DEFAULT 'x', PRIMARY KEY (`id`));
CREATE TABLE `settings` (`key` varchar(64) NOT NULL, `value` text, `bytes` longblob, PRIMARY KEY (`key`));
CREATE TABLE `Line Item` (`ID` int NOT NULL, `2fa` tinyint(1) NOT NULL DEFAULT 0, `self` text, PRIMARY KEY (`ID`));
CREATE TABLE `review` (
    `id` bigint NOT NULL,
    `post_id` bigint NOT NULL,
    `Rating` smallint NOT NULL DEFAULT 3,
    `comment` varchar(100) NOT NULL DEFAULT 'it''s fine',
    `status` enum('on hold','in-transit','done') NOT NULL DEFAULT 'on hold',
    `handle` varchar(40) NOT NULL,
    PRIMARY KEY (`id`),
    UNIQUE KEY `review_handle_unique` (`handle`),
    KEY `review_post_fk` (`post_id`),
    KEY `review_created_idx` (`Rating` DESC, `handle`),
    CONSTRAINT `review_post_fk` FOREIGN KEY (`post_id`) REFERENCES `post` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT,
    CONSTRAINT `review_rating_range` CHECK (`Rating` BETWEEN 1 AND 5)
);
CREATE TRIGGER `order_touch` BEFORE UPDATE ON `order` FOR EACH ROW SET NEW.`type` = NEW.`type`;
CREATE VIEW `open_orders` AS SELECT `region`, `number` FROM `order` WHERE `state` = 'open';
