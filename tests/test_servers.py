"""The tests' own PostgreSQL and redis-server: real, isolated per test, and removed after."""

from __future__ import annotations

import psycopg


def test_each_test_gets_a_fresh_empty_postgres_database(postgres_url, postgres_cluster):
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute("SELECT count(*) FROM information_schema.tables"
                              " WHERE table_schema = 'public'").fetchone()[0]
        conn.execute("CREATE TABLE marker (id int)")
        version = conn.execute("SHOW server_version_num").fetchone()[0]
    assert tables == 0
    assert version.startswith("15")
    other = postgres_cluster.create_database()
    try:
        with psycopg.connect(postgres_cluster.url(other)) as conn:
            assert conn.execute("SELECT to_regclass('marker')").fetchone()[0] is None
    finally:
        postgres_cluster.drop_database(other)


def test_postgres_runs_as_an_unprivileged_user_in_its_own_directory(postgres_cluster):
    with psycopg.connect(postgres_cluster.url()) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
        superuser = conn.execute("SELECT rolname FROM pg_roles WHERE oid = 10").fetchone()[0]
    assert data_dir == str(postgres_cluster.data)
    assert superuser != "root"


def test_redis_url_starts_empty(redis_url, redis_server):
    import redis

    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    client.set("marker", "1")
    assert redis_server.command(b"GET", b"marker").startswith(b"$1")
