"""The fast encoder's precision follows the CPU: int8 only where the CPU multiplies int8 in
hardware (elsewhere emulated int8 is slower than floating point), and the precision built is
part of the index key, so vectors of two precisions never mix."""

from __future__ import annotations

from pathlib import Path

from assistant.fast_encoder.hardware import VNNI_FLAGS, cpu_flags, resolve_precision
from assistant.settings import EmbeddingSettings, Settings


def _cpuinfo(tmp_path: Path, flags: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n\n"
                    f"processor\t: 1\nflags\t\t: {flags}\n", encoding="utf-8")
    return path


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    assert "avx512_vnni" in cpu_flags(_cpuinfo(tmp_path, "fpu sse4_2 avx2 avx512f avx512_vnni"))
    assert cpu_flags(_cpuinfo(tmp_path, "fpu sse4_2 avx2")).isdisjoint(VNNI_FLAGS)
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_auto_is_int8_exactly_where_this_cpu_has_vnni() -> None:
    has_vnni = bool(cpu_flags() & VNNI_FLAGS)
    assert resolve_precision("auto") == ("int8" if has_vnni else "bf16")
    # an explicit choice is kept
    assert resolve_precision("int8") == "int8"
    assert resolve_precision("bf16") == "bf16"


def test_the_index_key_names_the_precision_built() -> None:
    keys = {p: Settings(embedding=EmbeddingSettings(precision=p)).index_key()
            for p in ("int8", "bf16")}
    assert keys["int8"] != keys["bf16"]
    assert Settings().index_key() == keys[resolve_precision("auto")]
    assert Settings().embedding.encoder_identity().endswith(f"openvino-{resolve_precision('auto')}")
