#!/bin/sh
# The platform's own role and database: not a superuser, so the audit log's triggers bind it
# (README: Audit log). Runs once, when the database volume is first made.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v password="$PROTEACHER_DB_PASSWORD" <<'SQL'
CREATE ROLE proteacher LOGIN PASSWORD :'password';
CREATE DATABASE proteacher OWNER proteacher;
SQL
