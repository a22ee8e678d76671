"""The PostgreSQL engine (psycopg 3, psycopg_pool): for more than one app server."""
