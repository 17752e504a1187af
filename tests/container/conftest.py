"""Makes engine.py importable and, when the container test could not run, says so loudly at the end of the run."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pytest_configure(config):
    import engine  # noqa: PLC0415 (importable only once sys.path has this folder)

    capman = config.pluginmanager.getplugin("capturemanager")

    def emit(text):
        with capman.global_and_fixture_disabled():
            sys.stderr.write(text)
            sys.stderr.flush()

    engine.emit = emit


def pytest_terminal_summary(terminalreporter):
    import test_container  # noqa: PLC0415 (the module holding the reasons)

    if not test_container.NOT_RUN:
        return
    bar = "!" * 100
    tr = terminalreporter
    tr.write_line(bar, red=True, bold=True)
    tr.write_line("THE CONTAINER TEST DID NOT RUN: the docker image and the compose example were NOT tested.", red=True,
                  bold=True)
    for reason in sorted(set(test_container.NOT_RUN)):
        tr.write_line(f"  reason: {reason}", red=True)
    tr.write_line("  to run it: as root on Debian/Ubuntu (it installs docker.io and debootstrap with apt-get and starts",
                  red=True)
    tr.write_line("  its own dockerd), `python3 -m pytest -q tests/container`; with CI=true a missing engine fails.",
                  red=True)
    tr.write_line(bar, red=True, bold=True)
