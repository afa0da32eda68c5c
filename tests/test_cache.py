"""The rule cache: a second run does not re-parse; stale, corrupt or unwritable is a miss."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from revmech.engine import cache, grammar
from revmech.engine.amendments import load_and_apply
from revmech.engine.errors import RuleSyntaxError
from revmech.engine.ruleset import build_ruleset, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
PARAMS = (ROOT / "rules" / "parameters.yaml").read_text(encoding="utf-8")
RULE = """rule experts-listed
  cites para 19
  text "experts"
  for each expert in experts
  shall expert.listed <= as_of
  otherwise "{expert} is listed after as_of"
"""


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch):
    """The paths parse_rules was called with."""
    calls: list[str] = []
    real = grammar.parse_rules

    def counting(text, path="<rules>"):
        calls.append(path)
        return real(text, path)

    monkeypatch.setattr(grammar, "parse_rules", counting)
    return calls


def build(text=RULE):
    return build_ruleset([("r.rules", text)], PARAMS, "rules/parameters.yaml")


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_second_build_does_not_parse(cache_dir, parses):
    first = build()
    assert parses == ["r.rules"]
    second = build()
    assert parses == ["r.rules"]
    assert second.rules == first.rules
    assert [c.rule.id for c in second.compiled] == ["experts-listed"]
    assert len(entries(cache_dir)) == 1


def test_changed_text_is_a_miss(cache_dir, parses):
    build()
    build(RULE.replace("para 19", "para 20"))
    assert parses == ["r.rules", "r.rules"]
    assert len(entries(cache_dir)) == 2


def test_changed_parameters_are_a_miss(cache_dir, parses):
    build()
    build_ruleset([("r.rules", RULE)], PARAMS + "\n# edited\n", "rules/parameters.yaml")
    assert parses == ["r.rules", "r.rules"]


def test_edited_engine_is_a_miss(cache_dir, parses, monkeypatch):
    """An entry built by other engine code is never served: the rules are parsed again."""
    build()
    build()
    assert parses == ["r.rules"]
    real = cache._code_signature()
    monkeypatch.setattr(cache, "_code_signature", lambda: real + b"\nedited.py:1:1")
    again = build()
    assert parses == ["r.rules", "r.rules"]
    assert [c.rule.id for c in again.compiled] == ["experts-listed"]
    assert len(entries(cache_dir)) == 2
    build()
    assert len(parses) == 2  # the edited engine's own entry is a hit


def test_engine_signature_follows_module_edits(tmp_path, monkeypatch):
    """The signature changes when an engine module is touched (its mtime) or resized."""
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("")
    monkeypatch.setattr(cache, "_ENGINE_DIR", str(tmp_path))
    before = cache._code_signature()
    assert cache._code_signature() == before
    (tmp_path / "notes.txt").write_text("not a module")
    assert cache._code_signature() == before
    st = os.stat(tmp_path / "a.py")
    os.utime(tmp_path / "a.py", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    touched = cache._code_signature()
    assert touched != before
    (tmp_path / "b.py").write_text("x = 10\n")
    assert cache._code_signature() != touched


@pytest.mark.parametrize("garbage", [b"", b"revmech-cache-1", b"revmech-cache-1\x80\x05junk",
                                     b"not a cache entry at all"])
def test_corrupt_entry_is_ignored_and_rewritten(cache_dir, parses, garbage):
    first = build()
    (entry,) = cache_dir.iterdir()
    entry.write_bytes(garbage)
    again = build()
    assert parses == ["r.rules", "r.rules"]
    assert again.rules == first.rules
    assert entry.read_bytes() != garbage  # rebuilt and written back
    build()
    assert len(parses) == 2


def test_deleting_the_cache_is_safe(cache_dir, parses):
    build()
    for p in cache_dir.iterdir():
        p.unlink()
    cache_dir.rmdir()
    assert build().rules[0].id == "experts-listed"
    assert len(parses) == 2


def test_unwritable_cache_runs_without(tmp_path, monkeypatch, parses):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # cannot be created
    assert build().rules[0].id == "experts-listed"
    assert build().rules[0].id == "experts-listed"
    assert len(parses) == 2


def test_errors_are_not_cached(cache_dir):
    bad = RULE.replace("shall", "shal")
    for _ in range(2):
        with pytest.raises(RuleSyntaxError):
            build(bad)
    assert not cache_dir.exists() or entries(cache_dir) == []


def test_no_temporary_files_are_left(cache_dir):
    build()
    build(RULE.replace("para 19", "para 21"))
    assert all(not name.startswith(".tmp") for name in entries(cache_dir))


def test_shipped_rules_and_amendments_hit(cache_dir, parses):
    amendment = str(ROOT / "rules" / "amendments" / "appendix-ii.yaml")
    load_and_apply(load_ruleset(), [amendment])
    n = len(parses)
    assert n > 1
    again = load_and_apply(load_ruleset(), [amendment])
    assert len(parses) == n
    assert again.ruleset.rules


def test_only_the_newest_entries_are_kept(cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    for n in (20, 21, 22):
        build(RULE.replace("para 19", f"para {n}"))
    assert len(entries(cache_dir)) == 2


def test_default_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == str(tmp_path / "revmech")
    monkeypatch.setenv(cache.ENV, str(tmp_path / "elsewhere"))
    assert cache.cache_dir() == str(tmp_path / "elsewhere")


def test_key_depends_on_every_part():
    assert cache.key("k", ["a", "b"]) != cache.key("k", ["ab"])
    assert cache.key("k", ["a"]) != cache.key("j", ["a"])
    assert cache.key("k", ["a"]) == cache.key("k", ["a"])


def test_a_hit_does_not_import_the_grammar(cache_dir):
    """Start-up: with the rules cached, `revmech check` never imports pyparsing."""
    script = (
        "import sys\n"
        "from revmech.cli.main import main\n"
        "try:\n"
        "    main(['check', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pyparsing' in sys.modules)\n")
    snapshot = str(ROOT / "fixtures" / "sample-cycle.yaml")
    env = {**os.environ, cache.ENV: str(cache_dir)}
    runs = [subprocess.run([sys.executable, "-c", script, snapshot], env=env,
                           capture_output=True, text=True, check=True).stdout.splitlines()[-1]
            for _ in range(2)]
    assert runs == ["True", "False"]


# ---- compiled code of the fast evaluator ------------------------------------------------

SOURCE = "def f(x):\n    return x * 2\n"


def run_code(code) -> int:
    namespace: dict = {}
    exec(code, namespace)
    return namespace["f"](21)


def test_compiled_code_is_read_back_instead_of_compiled(cache_dir, monkeypatch):
    first = cache.compiled(SOURCE, "<t>")
    assert [p for p in entries(cache_dir) if p.startswith("code-")]

    def no_compile(*args):
        raise AssertionError("compiled again")

    monkeypatch.setattr(cache, "compile", no_compile, raising=False)
    second = cache.compiled(SOURCE, "<t>")
    assert run_code(first) == run_code(second) == 42
    with pytest.raises(AssertionError, match="compiled again"):
        cache.compiled(SOURCE + "\n", "<t>")  # another text: another entry


@pytest.mark.parametrize("damage", [b"", b"garbage", b"revmech-cache-1garbage",
                                    b"revmech-cache-1" + __import__("marshal").dumps(42)])
def test_a_corrupt_code_entry_is_compiled_again(cache_dir, damage):
    cache.compiled(SOURCE, "<t>")
    (entry,) = [cache_dir / p for p in entries(cache_dir) if p.startswith("code-")]
    entry.write_bytes(damage)
    assert run_code(cache.compiled(SOURCE, "<t>")) == 42
    assert entry.read_bytes().startswith(b"revmech-cache-1")
    assert entry.read_bytes() != damage


def test_code_without_a_writable_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    assert run_code(cache.compiled(SOURCE, "<t>")) == 42


def test_only_the_newest_code_entries_are_kept(cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_CODE", 3)
    for n in range(5):
        cache.compiled(SOURCE.replace("2", str(n + 3)), "<t>")
    assert len(entries(cache_dir)) == 3
