#!/usr/bin/python3
"""Revocation propagation measured from outside the sidecars, for load-tests/run-propagation.sh.

    propagation-probe.py --bootstrap HOST:PORT --topic T --admin URL --admin-token X \
        --issuer ISS --hs-secret S --rounds M --baseline "java -cp JAR load-tests/peer/FeedBaseline.java" \
        --out PREFIX URL...

Independent of the sidecar's own code and tests: Python, librdkafka (confluent-kafka) to publish,
raw HTTP/1.1 keep-alive sockets to ask /v1/verify. For each of M rounds it mints a fresh HS256
token, checks that every sidecar accepts it, then at t0 revokes its jti by one of two paths taking
turns:
  - admin: POST /v1/revocations on the first sidecar's admin API (which publishes the event);
  - direct: this process publishes the revoke event (docs/EVENTS.md) with librdkafka, acks=all,
    idempotent, linger 0, Java's murmur2 partitioner (the partition a Java publisher would pick).
From t0 every sidecar is asked again and again, one request in flight per sidecar and a pause of
--pause-us between an answer and the next question (so the probe's own load stays small beside
the sidecars' work), until it answers 401 "revoked"; the time to reject is t0 until that answer
is read (an upper bound: it includes one HTTP round trip and up to one pause). Kafka's own produce→consume is read off the same record: FeedBaseline runs N plain Java
consumers with the feed's settings on the revocation topic and prints when each poll returns it,
on CLOCK_MONOTONIC, the clock time.monotonic_ns() reads here. Per path the baselines are:
  - direct: produce→consume of that record (the consumers), and produce→ack (librdkafka's report);
  - admin: produce→consume of the record the admin published; its answer is set against the
    direct rounds' produce→ack (same producer settings as the admin's publisher).
Writes PREFIX-rounds.csv (one row per round and sidecar) and prints key=value summary lines.
"""

import argparse
import base64
import hashlib
import hmac
import json
import queue
import random
import select
import socket
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

from confluent_kafka import Producer

GIVE_UP_NS = 10_000_000_000
WARMUP_EVENTS = 1000
WARMUP_ROUNDS = 20


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def mint(issuer, secret, jti, subject):
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "kid": "hs-1", "typ": "at+jwt"}, separators=(",", ":")).encode())
    claims = {"iss": issuer, "sub": subject, "aud": "load-api", "jti": jti, "iat": now - 5, "exp": now + 3600}
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = header + b"." + payload
    signature = b64(hmac.new(secret.encode(), signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()


def revoke_event(issuer, jti):
    now = int(time.time())
    key = "jti\x1f" + issuer + "\x1f" + jti
    value = {"v": 1, "eventId": str(uuid.uuid4()), "type": "revoke", "scope": "jti", "issuer": issuer,
             "value": jti, "at": now, "expiresAt": now + 3600, "reason": "load test",
             "actor": "propagation-probe"}
    return key.encode(), json.dumps(value, separators=(",", ":")).encode()


class Http:
    """One keep-alive HTTP/1.1 connection; answers must carry Content-Length (the sidecar's do)."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.connect()

    def connect(self):
        """A new connection: the listeners close idle ones, so a long-lived one is opened again."""
        if getattr(self, "sock", None) is not None:
            self.sock.close()
        self.sock = socket.create_connection((self.host, self.port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, method, headers, body=b""):
        self.sent_at = time.monotonic_ns()
        lines = [f"{method} {self.path} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def try_read(self):
        """Reads what has arrived; returns (status, body) once a whole answer is in, else None."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"{self.host}:{self.port} closed the connection")
        self.buf += chunk
        return self._answer()

    def _answer(self):
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buf[:end].decode("latin-1").split("\r\n")
        length = 0
        for h in head[1:]:
            name, _, value = h.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if len(self.buf) < end + 4 + length:
            return None
        body = self.buf[end + 4:end + 4 + length]
        self.buf = self.buf[end + 4 + length:]
        return int(head[0].split(" ")[1]), body

    def ask(self, method, headers, body=b""):
        self.send(method, headers, body)
        while True:
            answer = self.try_read()
            if answer:
                return answer


class Baseline:
    """The FeedBaseline process: N Java consumers with the feed's settings, read line by line."""

    def __init__(self, command, bootstrap, topic, n):
        self.proc = subprocess.Popen(command.split() + [bootstrap, topic, str(n)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("FeedBaseline did not start")
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            consumer, value, nanos = line.split()
            self.lines.put((int(consumer), value, int(nanos)))

    def await_value(self, value, n, timeout_s=15):
        """Each consumer's receive time of the record whose key ends in value."""
        seen = {}
        deadline = time.monotonic() + timeout_s
        while len(seen) < n:
            consumer, v, nanos = self.lines.get(timeout=max(0.001, deadline - time.monotonic()))
            if v == value:
                seen[consumer] = nanos
        return [seen[i] for i in range(n)]

    def close(self):
        self.proc.stdin.close()
        self.proc.kill()
        self.proc.wait()


def percentile(values, p):
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # nearest rank
    return ordered[int(rank) - 1]


def main():
    a = argparse.ArgumentParser()
    for name in ("bootstrap", "topic", "admin", "admin-token", "issuer", "hs-secret", "baseline", "out"):
        a.add_argument("--" + name, required=True)
    a.add_argument("--rounds", type=int, default=200)
    a.add_argument("--pause-us", type=int, default=200)
    a.add_argument("sidecars", nargs="+")
    args = a.parse_args()
    n = len(args.sidecars)

    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "enable.idempotence": True,
                         "linger.ms": 0, "socket.nagle.disable": True, "partitioner": "murmur2_random"})
    acks = {}

    def on_delivery(err, msg):
        if err is not None:
            raise RuntimeError(f"publish failed: {err}")
        acks[msg.key()] = time.monotonic_ns()

    baseline = Baseline(args.baseline, args.bootstrap, args.topic, n)
    admin = Http(args.admin + "/v1/revocations")
    admin_headers = {"Authorization": "Bearer " + args.admin_token, "Content-Type": "application/json"}

    def admin_body(jti):
        return json.dumps({"scope": "jti", "issuer": args.issuer, "value": jti, "reason": "load test"}).encode()

    # Warm every path the rounds take (the broker's, the sidecars' feed and admin path, this
    # process's), with jtis of no live token: a fresh JVM runs them in its interpreter first.
    for i in range(WARMUP_EVENTS):
        key, value = revoke_event(args.issuer, "warm-up-" + str(uuid.uuid4()))
        producer.produce(args.topic, value, key, on_delivery=on_delivery)
        producer.flush()
    admin.connect()
    for i in range(WARMUP_EVENTS // 10):
        status, body = admin.ask("POST", admin_headers, admin_body("warm-up-" + str(uuid.uuid4())))
        if status != 202:
            raise RuntimeError(f"admin revoke answered {status}: {body!r}")

    rows = []
    probes = 0
    rtts = []  # send to answer of every question asked after t0, in ms
    for i in range(-WARMUP_ROUNDS, args.rounds):
        via_admin = i % 2 == 0
        jti = str(uuid.uuid4())
        token = mint(args.issuer, args.hs_secret, jti, f"user-{i}")
        verify_headers = {"Authorization": "Bearer " + token}
        conns = [Http(url + "/v1/verify") for url in args.sidecars]
        for c in conns:
            status, body = c.ask("GET", verify_headers)
            if status != 200:
                raise RuntimeError(f"round {i}: a sidecar refused a fresh token: {status} {body!r}")
        time.sleep(random.uniform(0.02, 0.06))  # rounds at irregular moments

        key, value = revoke_event(args.issuer, jti)
        if via_admin:
            admin.connect()  # outside the measured time, and never one the listener closed as idle
        t0 = time.monotonic_ns()
        if via_admin:
            admin.send("POST", admin_headers, admin_body(jti))
        else:
            producer.produce(args.topic, value, key, on_delivery=on_delivery)
            producer.poll(0)
        for c in conns:
            c.send("GET", verify_headers)
        reject = [None] * n
        answered = None
        due = {}  # connection index -> when to ask it again
        pause_ns = args.pause_us * 1000
        by_socket = {c.sock: k for k, c in enumerate(conns)}
        if via_admin:
            by_socket[admin.sock] = -1
        while None in reject or (via_admin and answered is None):
            if time.monotonic_ns() - t0 > GIVE_UP_NS:
                raise RuntimeError(f"round {i}: no rejection within {GIVE_UP_NS / 1e9:.0f} s: {reject}")
            now = time.monotonic_ns()
            for k, when in list(due.items()):
                if when <= now:
                    conns[k].send("GET", verify_headers)
                    del due[k]
            wait = min([(w - now) / 1e9 for w in due.values()] + [0.001])
            ready, _, _ = select.select(list(by_socket), [], [], max(0.0, wait))
            if not via_admin:
                producer.poll(0)
            for s in ready:
                k = by_socket[s]
                if k == -1:
                    answer = admin.try_read()
                    if answer:
                        answered = time.monotonic_ns()
                        if answer[0] != 202:
                            raise RuntimeError(f"admin revoke answered {answer[0]}: {answer[1]!r}")
                        del by_socket[s]
                    continue
                answer = conns[k].try_read()
                if not answer:
                    continue
                now = time.monotonic_ns()
                probes += 1
                if i >= 0:
                    rtts.append((now - conns[k].sent_at) / 1e6)
                status, body = answer
                if status == 401 and b"revoked" in body:
                    reject[k] = now
                    del by_socket[s]
                elif status == 200:
                    due[k] = now + pause_ns
                else:
                    raise RuntimeError(f"sidecar {k} answered {status}: {body!r}")
        producer.flush()
        consumed = baseline.await_value(jti, n)
        for c in conns:
            c.sock.close()
        if i < 0:
            continue
        ack = None if via_admin else acks.pop(key)
        for k in range(n):
            rows.append({"round": i, "path": "admin" if via_admin else "direct", "sidecar": k, "jti": jti, "t0": t0,
                         "reject_ms": (reject[k] - t0) / 1e6, "kafka_ms": (consumed[k] - t0) / 1e6,
                         "ack_ms": None if ack is None else (ack - t0) / 1e6,
                         "answer_ms": None if answered is None else (answered - t0) / 1e6})
        worst = max(r["reject_ms"] for r in rows[-n:])
        print(f"round {i + 1}/{args.rounds} ({'admin' if via_admin else 'direct'}): slowest sidecar {worst:.2f} ms,"
              f" slowest consumer {max(consumed) / 1e6 - t0 / 1e6:.2f} ms", file=sys.stderr)
    baseline.close()

    with open(args.out + "-rounds.csv", "w") as f:
        f.write("round,path,sidecar,jti,t0_ns,reject_ms,kafka_ms,ack_ms,answer_ms\n")
        for r in rows:
            f.write(",".join("" if r[c] is None else (f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]))
                             for c in ("round", "path", "sidecar", "jti", "t0", "reject_ms", "kafka_ms", "ack_ms", "answer_ms"))
                    + "\n")

    print(f"sidecars={n}")
    print(f"rounds={args.rounds}")
    print(f"probes={probes}")
    for path in ("direct", "admin"):
        mine = [r for r in rows if r["path"] == path]
        reject = [r["reject_ms"] for r in mine]
        kafka = [r["kafka_ms"] for r in mine]
        fleet = [max(r["reject_ms"] for r in mine if r["round"] == i) for i in sorted({r["round"] for r in mine})]
        for p in (50, 99):
            print(f"{path}_reject_p{p}={percentile(reject, p):.2f}")
            print(f"{path}_kafka_p{p}={percentile(kafka, p):.2f}")
            print(f"{path}_added_p{p}={percentile(reject, p) - percentile(kafka, p):.2f}")
            print(f"{path}_ratio_p{p}={percentile(reject, p) / percentile(kafka, p):.2f}")
            print(f"{path}_fleet_p{p}={percentile(fleet, p):.2f}")
        print(f"{path}_reject_max={max(reject):.2f}")
        print(f"{path}_kafka_max={max(kafka):.2f}")
        print(f"{path}_samples={len(mine)}")
    for p in (50, 99):
        print(f"probe_rtt_p{p}={percentile(rtts, p):.2f}")
    acks = [r["ack_ms"] for r in rows if r["path"] == "direct" and r["sidecar"] == 0]
    answers = [r["answer_ms"] for r in rows if r["path"] == "admin" and r["sidecar"] == 0]
    for p in (50, 99):
        print(f"direct_ack_p{p}={percentile(acks, p):.2f}")
        print(f"admin_answer_p{p}={percentile(answers, p):.2f}")
        print(f"admin_answer_after_ack_p{p}={percentile(answers, p) - percentile(acks, p):.2f}")

if __name__ == "__main__":
    main()
