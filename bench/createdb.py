"""Create the benchmark database named by DATABASE_URL if it does not exist yet (PostgreSQL only)."""

import os
import sys

import dj_database_url
import psycopg2

config = dj_database_url.parse(os.environ["DATABASE_URL"])
if "postgresql" not in config["ENGINE"]:
    sys.exit("The benchmark needs PostgreSQL: set BENCH_DATABASE_URL=postgres://…")
try:
    server = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
except psycopg2.OperationalError as error:
    sys.exit(f"Cannot reach PostgreSQL for the benchmark ({error}). Start it or set BENCH_DATABASE_URL.")
server.autocommit = True
with server.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
        print(f"Created database {config['NAME']}")
server.close()
