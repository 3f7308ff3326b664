"""Which SDK methods the contract suite calls, with which arguments (issue 11, item 3).

Registered from conftest.py. At configure time every method that `contract/coverage.yaml` maps an
operation to (its `core` and `platform` sections; `excluded` operations have no method) is wrapped on
the SDK's **sync** client classes -- the resource classes of `kaitencloud._sync.resources` and
`kaitencloud._sync.resources.platform`, and `KaitenPlatformClient.me` -- so that each call the tests
make is recorded with the arguments it was given, whatever it then answered.

The rule, per method:

- Its *optional parameters* are the parameters of its signature (`inspect.signature`) that have a
  default. An optional parameter counts as *given* in a call when the call passed it, by keyword or
  by position, with a value other than `None`: every `None` default of the SDK means "leave it out
  of the request", so passing `None` sends the same request as not passing it.
- A method with optional parameters is covered when (a) some call gave every one of them -- the
  *all-arguments* call -- and (b) some call gave none of them -- the *required-only* call. A method
  without optional parameters is covered by one call.
- Pagination helpers get no exemption: the SDK's `list` methods walk every page and take no
  cursor, and `instances.list_audit_trails`' `limit` (a ceiling on the entries returned) is one of
  the arguments its all-arguments call must give, together with `event_name`, `after` and `before`.
- Alternatives: kaitencloud 1.0.0 has no optional parameters that exclude one another. The nearest,
  `licenses.create`'s `family_slug` and `family_id`, may be sent together when they name the same
  family (the SDK documents it), and `license_families.get`'s `version` and `include_versions`
  combine; so all-arguments means every optional parameter in one call, with no exception. Should a
  later SDK add parameters that cannot be sent together, list each such group in `ALTERNATIVES`:
  the all-arguments requirement then becomes one call per member of the group, each giving that
  member and every optional parameter outside the group.

At the end of a *full* run (the whole Tests/Contract directory, no `-k`/`-m`, no `-x`/`--maxfail`,
no `--ignore`/`--deselect`/`--lf`/`--sw`/`--collect-only`, nothing deselected, not interrupted) an
uncovered method fails the session, and the summary lists each one with what is missing. A partial run prints a one-line note and changes nothing; with
`KAITEN_SDK_COVERAGE=report` in the environment it prints the list too, still without failing.
"""

from __future__ import annotations

import functools
import inspect
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
COVERAGE_FILE = HERE / "contract" / "coverage.yaml"

# method ("core:licenses.create") -> groups of optional parameters that cannot be sent together.
ALTERNATIVES: dict[str, list[frozenset[str]]] = {}


@dataclass
class Method:
    key: str  # "core:customers.create", "platform:me"
    optional: tuple[str, ...]
    calls: list[frozenset[str]] = field(default_factory=list)

    def missing(self) -> list[str]:
        """What this method still lacks; empty when it is covered."""
        if not self.optional:
            return [] if self.calls else ["a call"]
        if not self.calls:
            return ["any call (an all-arguments one and a required-only one)"]
        missing = []
        groups = ALTERNATIVES.get(self.key, [])
        grouped = set().union(*groups) if groups else set()
        outside = set(self.optional) - grouped
        wanted = [outside | {member} for group in groups for member in group] or [outside]
        for needed in wanted:
            if not any(needed <= call for call in self.calls):
                best = max(self.calls, key=lambda call: len(needed & call), default=frozenset())
                lacking = ", ".join(sorted(needed - best))
                missing.append(f"an all-arguments call (closest lacked: {lacking})")
        if not any(not call for call in self.calls):
            missing.append("a required-only call")
        return missing


def _mapped_methods() -> list[tuple[str, str]]:
    """("core" | "platform", "resource.method" | "method") for every mapped SDK method."""
    document = yaml.safe_load(COVERAGE_FILE.read_text())
    methods: list[tuple[str, str]] = []
    for section in ("core", "platform"):
        for target in (document.get(section) or {}).get("operations", {}).values():
            for dotted in target if isinstance(target, list) else [target]:
                if (section, dotted) not in methods:
                    methods.append((section, dotted))
    return methods


def _owner(section: str, dotted: str) -> tuple[type, str]:
    """The sync class defining `dotted` and the method's name on it."""
    from kaitencloud import KaitenClient, KaitenPlatformClient

    client_class = KaitenClient if section == "core" else KaitenPlatformClient
    *resource, name = dotted.split(".")
    if not resource:
        return client_class, name
    hints = typing.get_type_hints(client_class)
    return hints[resource[0]], name


class Recorder:
    def __init__(self) -> None:
        self.methods: dict[str, Method] = {}
        self.deselected = 0
        self.outcome: str | list[str] | None = None  # "partial", or the uncovered methods

    def install(self) -> None:
        for section, dotted in _mapped_methods():
            owner, name = _owner(section, dotted)
            original = getattr(owner, name)
            signature = inspect.signature(original)
            optional = tuple(
                parameter.name
                for parameter in signature.parameters.values()
                if parameter.default is not inspect.Parameter.empty
            )
            method = Method(key=f"{section}:{dotted}", optional=optional)
            self.methods[method.key] = method
            setattr(owner, name, _recording(original, signature, method))

    def report(self) -> list[str]:
        lines = []
        for key, method in self.methods.items():
            missing = method.missing()
            if missing:
                lines.append(f"{key}: missing {'; '.join(missing)}")
        return lines


def _recording(original, signature: inspect.Signature, method: Method):
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            given = frozenset()  # the call fails as the SDK would make it fail
        else:
            given = frozenset(
                name for name in method.optional if bound.arguments.get(name) is not None
            )
        method.calls.append(given)
        return original(*args, **kwargs)

    wrapper.__sdk_coverage_original__ = original
    return wrapper


def _is_full_run(session: pytest.Session, recorder: Recorder) -> bool:
    config = session.config
    if session.exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR,
                              pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        return False
    if config.getoption("keyword") or config.getoption("markexpr") or config.getoption("collectonly"):
        return False
    if config.getoption("ignore") or config.getoption("ignore_glob") or config.getoption("deselect"):
        return False
    if config.getoption("maxfail") or recorder.deselected or session.shouldstop:
        return False
    if any(getattr(config.option, flag, False) for flag in ("lf", "stepwise", "stepwise_skip")):
        return False
    invocation = Path(config.invocation_params.dir)
    args = config.args or ["."]
    return all("::" not in arg and (invocation / arg).resolve() == HERE for arg in args)


_RECORDER = pytest.StashKey[Recorder]()


def pytest_configure(config: pytest.Config) -> None:
    recorder = Recorder()
    recorder.install()
    config.stash[_RECORDER] = recorder


def pytest_deselected(items) -> None:
    # pytest_deselected has no config argument: the recorder is found through the items.
    if items:
        items[0].config.stash[_RECORDER].deselected += len(items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    recorder = session.config.stash[_RECORDER]
    if not _is_full_run(session, recorder):
        recorder.outcome = "partial"
        return
    uncovered = recorder.report()
    recorder.outcome = uncovered
    if uncovered and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    recorder = config.stash.get(_RECORDER, None)
    outcome = getattr(recorder, "outcome", None)
    if outcome is None:
        return
    if outcome == "partial":
        terminalreporter.write_line("SDK method coverage: not checked (partial run)")
        if os.environ.get("KAITEN_SDK_COVERAGE") == "report":
            for line in recorder.report():
                terminalreporter.write_line(f"  {line}")
    elif outcome:
        terminalreporter.section("SDK method coverage", sep="=", red=True, bold=True)
        terminalreporter.write_line(f"{len(outcome)} of {len(recorder.methods)} SDK methods not fully covered:")
        for line in outcome:
            terminalreporter.write_line(f"  {line}")
    else:
        terminalreporter.write_line(f"SDK method coverage: all {len(recorder.methods)} methods covered")
