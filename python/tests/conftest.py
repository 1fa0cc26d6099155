"""Fixtures of the Python module's tests: the CLI (to compare numbers with), the shared data, temporary databases.

Run by ctest as `python_module` (/usr/bin/python3 -m pytest python/tests -q --bin build/bin/panocarbon, with
PYTHONPATH=build/python); by hand the same from the source folder after a build."""

import json
import os
import pathlib
import subprocess

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
SHARED = SOURCE.parent / "shared" / "data"
WIOD_2009 = SHARED / "mrio" / "wiod2013-co2" / "2009"
PYMRIO_TEST = SHARED / "mrio" / "pymrio-test"
USLCI = SHARED / "lca" / "uslci-jsonld"


def pytest_addoption(parser):
    parser.addoption("--bin", default=str(SOURCE / "build" / "bin" / "panocarbon"), help="the panocarbon CLI")


@pytest.fixture(scope="session")
def cli_bin(request):
    b = pathlib.Path(request.config.getoption("--bin"))
    if not b.exists():
        pytest.fail(f"the CLI {b} is missing: build it (cmake --build build --target panocarbon_cli)")
    return b


class Cli:
    def __init__(self, binary, env):
        self.binary = binary
        self.env = env

    def run(self, *args, check=True):
        p = subprocess.run([str(self.binary), *map(str, args)], capture_output=True, text=True, cwd=SOURCE,
                           env=self.env, timeout=600)
        if check and p.returncode != 0:
            raise AssertionError(f"panocarbon {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
        return p

    def json(self, *args):
        return json.loads(self.run(*args, "--format", "json").stdout)

    def error(self, *args):
        """(exit code, the message without the 'panocarbon: ' prefix) of a command that fails."""
        p = self.run(*args, check=False)
        assert p.returncode != 0, f"panocarbon {' '.join(map(str, args))} did not fail"
        lines = p.stderr.rstrip().splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("panocarbon: ")]
        assert starts, p.stderr
        return p.returncode, "\n".join(lines[starts[-1]:])[len("panocarbon: "):]


@pytest.fixture(scope="session")
def home(tmp_path_factory):
    """A private default database: neither the CLI nor the module touches the user's."""
    d = tmp_path_factory.mktemp("home")
    os.environ["PANOCARBON_DB"] = str(d / "default.db")
    return d


@pytest.fixture(scope="session")
def cli(cli_bin, home):
    env = dict(os.environ)
    env["PANOCARBON_DB"] = str(home / "default.db")
    return Cli(cli_bin, env)


def need(path):
    if not path.exists():
        pytest.skip(f"{path} is missing (../shared/data)")
    return path


@pytest.fixture(scope="session")
def wiod_2009():
    return need(WIOD_2009)


@pytest.fixture(scope="session")
def pymrio_test():
    return need(PYMRIO_TEST)


@pytest.fixture(scope="session")
def uslci_db(cli, home):
    """A database holding USLCI (imported once by the CLI)."""
    need(USLCI)
    db = home / "uslci.db"
    cli.run("lca", "import", USLCI, "--name", "uslci", "--db", db)
    return db
