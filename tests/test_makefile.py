"""The Makefile installs what each command needs and says so, and README says how to open the
notebook with an extra that setup.cfg defines."""

import configparser
import re
import subprocess

from tests.test_readme import README, REPO


def recipe(target: str) -> list[str]:
    """The commands `make TARGET` would run from scratch (a dry run: nothing is executed)."""
    done = subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return done.stdout.splitlines()


def installs(lines: list[str]) -> list[tuple[str, str]]:
    """(the line before, the pip install) of every install of basemesa in a recipe."""
    return [(before, line) for before, line in zip(lines, lines[1:])
            if "pip install" in line and "--upgrade pip" not in line]


def test_the_demo_installs_the_package_alone_and_says_so_first():
    """`make demo` installs basemesa without the test extras, and prints what it installs
    before pip runs silently; `make test` still installs the test extras."""
    demo = installs(recipe("demo"))
    assert [line.split("install", 1)[1].split() for _, line in demo] == [["--quiet", "-e", "."]]
    assert all(before.startswith("echo ") and "install" in before for before, _ in demo)
    test = installs(recipe("test"))
    assert any(line.endswith("-e '.[test]'") for _, line in test)
    assert all(before.startswith("echo ") for before, _ in test)


def test_readme_says_how_to_open_the_notebook_with_an_extra_setup_defines():
    """README names a pip install of an extra and the jupyter command that opens
    docs/tutorial.ipynb; setup.cfg defines that extra, and it brings Jupyter."""
    extra = re.search(r"pip install -e '\.\[(\w+)\]'\n\S*jupyter lab docs/tutorial\.ipynb",
                      README).group(1)
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg")
    requirements = setup["options.extras_require"][extra].split()
    assert any(re.match(r"(notebook|jupyterlab)\b", item) for item in requirements)
