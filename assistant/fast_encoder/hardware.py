"""Which precision of the fast encoder suits this CPU.

int8 is fast only where the CPU multiplies int8 in hardware (VNNI: AVX-512 VNNI, AVX-VNNI or AMX);
elsewhere OpenVINO emulates it and it is slower than floating point. Measured with
``bench/encoder.py`` on 200 chunks of ~436 tokens: on 2 cores with AVX-512 VNNI and BF16, int8
10.8-11.5 chunks per CPU-second and bf16 7.7; on 2 Zen 3 cores with AVX2 only, int8 2.7 per
CPU-second with queries at p50 31.5 ms, the bf16 build (run in fp32 there, cosine 1.0 to the
reference) 3.3 with queries at 20.6 ms."""

from __future__ import annotations

from functools import cache
from pathlib import Path

VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (none where it cannot be read)."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


@cache
def best_precision() -> str:
    """'int8' where the CPU has VNNI, else 'bf16' (which OpenVINO runs in fp32 on a CPU without
    bf16 arithmetic, still faster there than emulated int8)."""
    return "int8" if cpu_flags() & VNNI_FLAGS else "bf16"


def resolve_precision(precision: str) -> str:
    """The precision to build: the setting, or for 'auto' the one this CPU runs fastest."""
    return best_precision() if precision == "auto" else precision
