-- Runs once, when the postgres data volume is first created. Each service owns
-- its tables and reads no other's, so each gets a database of its own.
CREATE DATABASE orders;
CREATE DATABASE teams;
CREATE DATABASE points;
CREATE DATABASE inventory;
CREATE DATABASE gateway;
