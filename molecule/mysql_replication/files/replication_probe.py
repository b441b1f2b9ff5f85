"""Test helper of molecule/mysql_replication (not part of the collection).

Runs on a database host as a management-server stand-in: connects over TCP
as the cloud user (so the server sees the host's management address).

  write:  insert --rows rows into --table in commits of --batch rows on
          --primary; count only rows whose COMMIT returned (acknowledged);
          with --replicas, then poll each replica until it has all of them
          and report the seconds it took (from the last acknowledged commit).
  stream: write batches of --batch rows to --primary until killed (or
          --seconds); after each COMMIT returns, append the acknowledged total
          to --ack-file (fsync), so a crash test knows what was acknowledged.
  count:  count the rows of --run on --hosts.
Password: environment variable PROBE_PASSWORD. Output: one JSON object.
"""
import argparse
import json
import os
import time
import uuid

import pymysql


def connect(host, args, database="cloud"):
    return pymysql.connect(host=host, port=args.port, user=args.user,
                           password=os.environ["PROBE_PASSWORD"], database=database,
                           connect_timeout=5, autocommit=False,
                           # TLS, the server's certificate checked against the CA (the users are REQUIRE SSL)
                           ssl={"ca": args.ca} if args.ca else None)


def count(host, args, run):
    conn = connect(host, args)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM %s WHERE run = %%s" % args.table, (run,))
            return cur.fetchone()[0]
    finally:
        conn.close()


def write(args):
    run = args.run or uuid.uuid4().hex[:16]
    conn = connect(args.primary, args)
    acknowledged = 0
    error = None
    t_start = time.monotonic()
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS %s (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                        "run VARCHAR(32) NOT NULL, n INT NOT NULL, payload VARCHAR(64) NOT NULL, "
                        "KEY (run)) ENGINE=InnoDB" % args.table)
            conn.commit()
            n = 0
            while n < args.rows:
                size = min(args.batch, args.rows - n)
                cur.executemany("INSERT INTO %s (run, n, payload) VALUES (%%s, %%s, %%s)" % args.table,
                                [(run, n + i, uuid.uuid4().hex) for i in range(size)])
                conn.commit()
                n += size
                acknowledged = n
    except pymysql.MySQLError as exc:
        error = str(exc)
    finally:
        try:
            conn.close()
        except pymysql.MySQLError:
            pass
    t_acked = time.monotonic()
    result = {"run": run, "primary": args.primary, "acknowledged_rows": acknowledged,
              "write_seconds": round(t_acked - t_start, 3), "error": error, "replicas": {}}
    pending = [h for h in (args.replicas or "").split(",") if h]
    deadline = t_acked + args.timeout
    while pending and time.monotonic() < deadline + 30:
        for host in list(pending):
            have = count(host, args, run)
            if have >= acknowledged:
                result["replicas"][host] = {"rows": have,
                                            "seconds": round(time.monotonic() - t_acked, 3)}
                pending.remove(host)
        if pending:
            time.sleep(0.02)
    for host in pending:
        result["replicas"][host] = {"rows": count(host, args, run), "seconds": None}
    return result


def stream(args):
    conn = connect(args.primary, args)
    end = time.monotonic() + args.seconds
    acknowledged = 0
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS %s (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                    "run VARCHAR(32) NOT NULL, n INT NOT NULL, payload VARCHAR(64) NOT NULL, "
                    "KEY (run)) ENGINE=InnoDB" % args.table)
        conn.commit()
        with open(args.ack_file, "a") as ack:
            while time.monotonic() < end:
                cur.executemany("INSERT INTO %s (run, n, payload) VALUES (%%s, %%s, %%s)" % args.table,
                                [(args.run, acknowledged + i, uuid.uuid4().hex) for i in range(args.batch)])
                conn.commit()
                acknowledged += args.batch
                ack.write("%d\n" % acknowledged)
                ack.flush()
                os.fsync(ack.fileno())
    return {"run": args.run, "acknowledged_rows": acknowledged}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["write", "stream", "count"])
    parser.add_argument("--primary")
    parser.add_argument("--replicas", default="")
    parser.add_argument("--hosts", default="")
    parser.add_argument("--run", default="")
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--table", default="molecule_probe")
    parser.add_argument("--user", default="cloud")
    parser.add_argument("--port", type=int, default=3306)
    parser.add_argument("--ca", default="/etc/mysql/ssl/ca.pem" if os.path.exists("/etc/mysql/ssl/ca.pem") else "")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--ack-file", default="/root/replication_probe.ack")
    args = parser.parse_args()
    if args.mode == "write":
        print(json.dumps(write(args)))
    elif args.mode == "stream":
        print(json.dumps(stream(args)))
    else:
        print(json.dumps({"run": args.run,
                          "counts": {h: count(h, args, args.run) for h in args.hosts.split(",") if h}}))


if __name__ == "__main__":
    main()
