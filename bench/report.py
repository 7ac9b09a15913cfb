#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the Markdown report of bench/run.sh from its result directory.

usage: report.py RESDIR            print the Markdown report
       report.py summary RESDIR... ratios of several runs and their medians
       report.py fiook JSONFILE    exit 0 if the fio JSON shows a clean run

Result directory layout (written by run.sh):
  config.txt, machine.txt, commands.txt    free text, copied verbatim
  <target>.status                          "ok" | "skipped: ..." | "failed: ..."
  <target>.notes                           free text lines
  <target>-<workload>.json                 fio --output-format=json
  <target>-<workload>.daemoncpu            CPU seconds used by the FUSE daemon
  <target>-meta.txt                        metaops output (RESULT line)
"""
import json
import os
import re
import sys

TARGETS = [("raw", "raw"), ("ext4", "ext4-loop"), ("fuse2fs", "fuse2fs"), ("vmfs", "vmfs")]
FIO_WL = [
    ("seqwrite", "Sequential write, 1 MiB (MB/s)", "bw"),
    ("seqread", "Sequential read, 1 MiB (MB/s)", "bw"),
    ("randread", "Random read, 4 KiB, QD16 (IOPS)", "iops"),
    ("randwrite", "Random write, 4 KiB, QD16 (IOPS)", "iops"),
]
META = [
    ("create_ops", "Metadata: create+write 100 B+close (ops/s)"),
    ("stat_ops", "Metadata: stat (ops/s)"),
    ("unlink_ops", "Metadata: unlink (ops/s)"),
    ("total_ops", "Metadata: total, 3N ops / total time (ops/s)"),
]


def load_fio(path):
    try:
        with open(path) as f:
            txt = f.read()
    except OSError:
        return None
    i = txt.find("{")
    if i < 0:
        return None
    try:
        return json.loads(txt[i:])
    except ValueError:
        return None


def fio_stats(path):
    """Return dict with bw (MB/s), iops, lat_us, p99_us, usr, sys or None."""
    d = load_fio(path)
    if not d or not d.get("jobs"):
        return None
    job = d["jobs"][0]
    if job.get("error", 0):
        return None
    side = None
    for s in ("write", "read"):
        if job.get(s, {}).get("io_bytes", 0) > 0:
            side = job[s]
            break
    if side is None:
        return None
    clat = side.get("clat_ns", {})
    pct = clat.get("percentile", {}) or {}
    p99 = pct.get("99.000000")
    return {
        "bw": side["bw_bytes"] / 1e6,
        "iops": side["iops"],
        "lat_us": side.get("lat_ns", {}).get("mean", 0) / 1e3,
        "p99_us": (p99 / 1e3) if p99 is not None else None,
        "usr": job.get("usr_cpu"),
        "sys": job.get("sys_cpu"),
        "opts": job.get("job options", {}),
    }


def load_meta(path):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("RESULT "):
                    return {k: float(v) for k, v in
                            (kv.split("=", 1) for kv in line.split()[1:])}
    except OSError:
        pass
    return None


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().rstrip("\n")
    except OSError:
        return default


def fmt(v, kind):
    if v is None:
        return "–"
    if kind == "bw":
        return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"
    if kind == "ratio":
        return f"{v:.2f}"
    return f"{v:,.0f}"


def main_report(res):
    out = []
    status = {t: read(os.path.join(res, f"{t}.status"), "not run") for t, _ in TARGETS}
    val = {}  # (target, rowkey) -> value
    det = {}
    for t, _ in TARGETS:
        for wl, _, kind in FIO_WL:
            s = fio_stats(os.path.join(res, f"{t}-{wl}.json"))
            det[(t, wl)] = s
            val[(t, wl)] = s[kind] if s else None
        m = load_meta(os.path.join(res, f"{t}-meta.txt"))
        for k, _ in META:
            val[(t, k)] = m.get(k) if m else None

    def ratio(a, b):
        if a is None or b is None or b == 0:
            return None
        return a / b

    out.append(read(os.path.join(res, "title.txt"), "# Benchmark results"))
    out.append("")
    out.append("## Machine")
    out.append("")
    out.append("```")
    out.append(read(os.path.join(res, "machine.txt")))
    out.append("```")
    out.append("")
    out.append("## Configuration")
    out.append("")
    out.append("```")
    out.append(read(os.path.join(res, "config.txt")))
    out.append("```")
    out.append("")
    out.append("## Results")
    out.append("")
    out.append("All columns come from the same run. MB/s = 10^6 bytes/s. "
               "The `raw` column for metadata is a directory on the host "
               "filesystem that holds the images (no image involved).")
    out.append("")
    hdr = "| Workload | " + " | ".join(n for _, n in TARGETS) + " | vmfs/raw |"
    out.append(hdr)
    out.append("|" + "---|" * (len(TARGETS) + 2))
    for wl, label, kind in FIO_WL:
        cells = [fmt(val[(t, wl)], kind) for t, _ in TARGETS]
        r = ratio(val[("vmfs", wl)], val[("raw", wl)])
        out.append(f"| {label} | " + " | ".join(cells) + f" | {fmt(r, 'ratio')} |")
    for k, label in META:
        cells = [fmt(val[(t, k)], "ops") for t, _ in TARGETS]
        r = ratio(val[("vmfs", k)], val[("raw", k)])
        out.append(f"| {label} | " + " | ".join(cells) + f" | {fmt(r, 'ratio')} |")
    out.append("")
    out.append("Target status: " + "; ".join(f"{n}: {status[t]}" for t, n in TARGETS))
    out.append("")

    out.append("## Targets from the issue")
    out.append("")
    out.append("| Target | Required | Measured | Result |")
    out.append("|---|---|---|---|")
    checks = [
        ("Sequential write vmfs/raw", 0.8, ratio(val[("vmfs", "seqwrite")], val[("raw", "seqwrite")])),
        ("Sequential read vmfs/raw", 0.8, ratio(val[("vmfs", "seqread")], val[("raw", "seqread")])),
        ("Random 4 KiB read vmfs/raw", 0.5, ratio(val[("vmfs", "randread")], val[("raw", "randread")])),
        ("Metadata (create+stat+unlink) vmfs/fuse2fs", 10.0,
         ratio(val[("vmfs", "total_ops")], val[("fuse2fs", "total_ops")])),
    ]
    npass = nfail = 0
    for name, req, got in checks:
        if got is None:
            res_s = "n/a (not measured)"
        elif got >= req:
            res_s = "**PASS**"
            npass += 1
        else:
            res_s = "**FAIL**"
            nfail += 1
        unit = "x" if req >= 10 else ""
        out.append(f"| {name} | >= {req:g}{unit} | {fmt(got, 'ratio')}{unit if got is not None else ''} | {res_s} |")
    out.append("")
    out.append(f"Summary: {npass} PASS, {nfail} FAIL, {len(checks) - npass - nfail} not measured.")
    out.append("")

    out.append("## Details per fio job")
    out.append("")
    out.append("Machine CPU busy %: all CPUs, iowait counted as idle; `before` is the 2 s "
               "sample just before the job (other load on the machine), `during` is the job itself.")
    out.append("")
    out.append("| Target | Job | engine | direct | MB/s | IOPS | mean lat (us) | p99 clat (us) | fio usr/sys CPU % | FUSE daemon CPU s | machine busy % before / during |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for t, n in TARGETS:
        for wl, _, _ in FIO_WL:
            s = det[(t, wl)]
            if not s:
                continue
            o = s["opts"]
            dcpu = read(os.path.join(res, f"{t}-{wl}.daemoncpu"), "")
            bb = read(os.path.join(res, f"{t}-{wl}.bgbusy"), "?")
            bd = read(os.path.join(res, f"{t}-{wl}.busy"), "?")
            p99 = f"{s['p99_us']:,.0f}" if s["p99_us"] is not None else "–"
            out.append(f"| {n} | {wl} | {o.get('ioengine', '?')} iodepth={o.get('iodepth', '1')} | "
                       f"{o.get('direct', '0')} | {s['bw']:,.1f} | {s['iops']:,.0f} | {s['lat_us']:,.0f} | {p99} | "
                       f"{s['usr']:.1f}/{s['sys']:.1f} | {dcpu or '–'} | {bb} / {bd} |")
    out.append("")

    mb = []
    for t, n in TARGETS:
        if os.path.exists(os.path.join(res, f"{t}-meta.bgbusy")):
            mb.append(f"{n} {read(os.path.join(res, f'{t}-meta.bgbusy'))}%")
    if mb:
        out.append("Machine CPU busy before metaops: " + ", ".join(mb) + ".")
        out.append("")

    notes = []
    for t, n in TARGETS:
        txt = read(os.path.join(res, f"{t}.notes"))
        if txt:
            notes.append(f"- **{n}**: " + txt.replace("\n", "\n  "))
    if notes:
        out.append("## Notes from the run")
        out.append("")
        out.extend(notes)
        out.append("")

    out.append("## Exact commands")
    out.append("")
    out.append("```")
    out.append(read(os.path.join(res, "commands.txt")))
    out.append("```")
    out.append("")
    print("\n".join(out))


def run_values(res):
    val = {}
    for t, _ in TARGETS:
        for wl, _, kind in FIO_WL:
            s = fio_stats(os.path.join(res, f"{t}-{wl}.json"))
            val[(t, wl)] = s[kind] if s else None
        m = load_meta(os.path.join(res, f"{t}-meta.txt"))
        for k, _ in META:
            val[(t, k)] = m.get(k) if m else None
    return val


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main_summary(dirs):
    """Ratios per run and their medians, for several runs of run.sh."""
    runs = [(os.path.basename(d.rstrip("/")), run_values(d)) for d in dirs]

    def ratio(v, a, b):
        x, y = v.get(a), v.get(b)
        return x / y if x is not None and y else None

    rows = [
        ("Seq write vmfs/raw (>= 0.8)", ("vmfs", "seqwrite"), ("raw", "seqwrite"), 0.8),
        ("Seq read vmfs/raw (>= 0.8)", ("vmfs", "seqread"), ("raw", "seqread"), 0.8),
        ("Rand 4K read vmfs/raw (>= 0.5)", ("vmfs", "randread"), ("raw", "randread"), 0.5),
        ("Rand 4K write vmfs/raw (no target)", ("vmfs", "randwrite"), ("raw", "randwrite"), None),
        ("Metadata vmfs/fuse2fs (>= 10)", ("vmfs", "total_ops"), ("fuse2fs", "total_ops"), 10.0),
        ("Metadata vmfs/ext4-loop (no target)", ("vmfs", "total_ops"), ("ext4", "total_ops"), None),
        ("fuse2fs seq write / raw (anchor 0.1-0.3)", ("fuse2fs", "seqwrite"), ("raw", "seqwrite"), None),
        ("fuse2fs rand read / raw (anchor 0.1-0.3)", ("fuse2fs", "randread"), ("raw", "randread"), None),
    ]
    out = ["| Ratio | " + " | ".join(n for n, _ in runs) + " | median | result (median) |",
           "|---|" + "---|" * (len(runs) + 2)]
    for label, a, b, req in rows:
        rs = [ratio(v, a, b) for _, v in runs]
        med = median(rs)
        if req is None or med is None:
            verdict = "–" if med is not None else "n/a"
        else:
            verdict = "**PASS**" if med >= req else "**FAIL**"
        out.append(f"| {label} | " + " | ".join(fmt(r, "ratio") for r in rs) +
                   f" | {fmt(med, 'ratio')} | {verdict} |")
    out.append("")
    out.append("| Absolute (median of runs) | " + " | ".join(n for _, n in TARGETS) + " |")
    out.append("|---|" + "---|" * len(TARGETS))
    for wl, label, kind in FIO_WL:
        out.append(f"| {label} | " + " | ".join(
            fmt(median([v[(t, wl)] for _, v in runs]), kind) for t, _ in TARGETS) + " |")
    for k, label in META:
        out.append(f"| {label} | " + " | ".join(
            fmt(median([v[(t, k)] for _, v in runs]), "ops") for t, _ in TARGETS) + " |")
    print("\n".join(out))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "summary":
        main_summary(sys.argv[2:])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "fiook":
        d = load_fio(sys.argv[2])
        ok = bool(d and d.get("jobs") and not d["jobs"][0].get("error", 0))
        sys.exit(0 if ok else 1)
    if len(sys.argv) == 2:
        main_report(sys.argv[1])
        return
    sys.stderr.write(__doc__)
    sys.exit(2)


if __name__ == "__main__":
    main()
