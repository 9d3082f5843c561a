#!/usr/bin/env python3
"""Summarises the CPU samples (jdk.ExecutionSample, jdk.NativeMethodSample) of JFR recordings made by JMH's
-prof jfr: the methods most often on top of the stack (self) and most often anywhere
on it (inclusive), as shares of all samples taken in the benchmark thread.
Usage: jfr-top.py RECORDING.jfr [N]
"""
import collections
import json
import subprocess
import sys


def frames_of(event):
    st = event["values"].get("stackTrace")
    if not st:
        return []
    out = []
    for f in st["frames"]:
        m = f["method"]
        out.append(f'{m["type"]["name"].replace("/", ".")}.{m["name"]}')
    return out


# Each sample goes to the first area found walking down from the top of its stack, so a
# HashMap.put inside Jackson counts as JSON and a MessageDigest inside HMAC as crypto.
AREAS = [
    ("JSON (Jackson)", ("com.fasterxml.",)),
    ("base64url decoding", ("io.jwtsidecar.token.Base64Url", "java.util.Base64")),
    ("crypto: provider lookup / getInstance", ("java.security.Provider", "sun.security.jca.",
                                               "java.security.Signature.getInstance",
                                               "javax.crypto.Mac.getInstance", "javax.crypto.JceSecurity")),
    ("crypto: signature / MAC", ("javax.crypto.", "java.security.", "sun.security.", "com.amazon.corretto.",
                                 "java.math.")),
    ("verified-token cache (Caffeine)", ("com.github.benmanes.caffeine.",)),
    ("revocation: Bloom filter (Guava)", ("com.google.common.hash.",)),
    ("revocation: rule keys / facts", ("io.jwtsidecar.revocation.",)),
    ("claims checks", ("io.jwtsidecar.token.ClaimsCheck", "io.jwtsidecar.token.TimeClaims")),
]


def area_of(stack):
    for frame in stack:
        for name, prefixes in AREAS:
            if frame.startswith(prefixes):
                return name
    for frame in stack:
        if frame.startswith("io.jwtsidecar."):
            return "other sidecar code: " + frame.rsplit(".", 1)[0].rsplit(".", 1)[-1]
    return "other"


def main(path, n=25):
    raw = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample",
                          path], check=True, capture_output=True, text=True).stdout
    all_events = json.loads(raw)["recording"]["events"]
    events = [e for e in all_events if e["type"] == "jdk.ExecutionSample"]
    native = [frames_of(e) for e in all_events if e["type"] == "jdk.NativeMethodSample"
              and "jmh-worker" in (e["values"].get("sampledThread") or {}).get("javaName", "")]
    # Only the thread running the benchmark loop.
    samples = [frames_of(e) for e in events
               if "jmh-worker" in (e["values"].get("sampledThread") or {}).get("javaName", "")]
    total = len(samples)
    self_c = collections.Counter(s[0] for s in samples if s)
    incl_c = collections.Counter()
    for s in samples:
        for f in set(s):
            incl_c[f] += 1
    # JFR's "profile" settings sample a thread in Java every 10 ms and one in native code
    # (JNI, e.g. the AWS-LC provider) every 20 ms.
    java_s, native_s = total * 0.010, len(native) * 0.020
    print(f"{path}: {total} Java samples and {len(native)} native samples in the benchmark thread")
    if java_s + native_s > 0:
        print(f"  time estimate: Java {java_s:.1f} s, native {native_s:.1f} s "
              f"({100.0 * native_s / (java_s + native_s):.0f}% native)\n")
    if native:
        print("native samples, top Java frame (the JNI method):")
        for m, c in collections.Counter(st[0] for st in native if st).most_common(8):
            print(f"  {100.0 * c / len(native):5.1f}%  {m}")
        print()
    print("by area (first matching frame from the top of the stack):")
    for a, c in collections.Counter(area_of(st) for st in samples).most_common():
        print(f"  {100.0 * c / total:5.1f}%  {a}")
    print("\nself (top of stack):")
    for m, c in self_c.most_common(n):
        print(f"  {100.0 * c / total:5.1f}%  {m}")
    print("\ninclusive (anywhere on the stack):")
    for m, c in incl_c.most_common(n + 12):
        if "_jmhStub" in m or "jmh_generated" in m or m.startswith("java.lang.Thread.") \
                or "reflect" in m or m.startswith("org.openjdk.jmh"):
            continue
        print(f"  {100.0 * c / total:5.1f}%  {m}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25)
