#!/bin/sh
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d): a login and a database of
# its own for the Apicurio schema registry, so that registry data survives restarts and stays apart from the ledger.
set -eu
: "${APICURIO_DB_PASSWORD:?APICURIO_DB_PASSWORD must be set for the postgres service}"
# The password travels as a psql variable and is quoted by psql (:'name'), never pasted into the SQL text.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v apicurio_password="$APICURIO_DB_PASSWORD" <<'SQL'
CREATE ROLE apicurio LOGIN PASSWORD :'apicurio_password';
CREATE DATABASE apicurio OWNER apicurio;
SQL
