"""Every figure the README's results quote is in a file a benchmark wrote (benchmarks/RESULTS*.md),
so a figure is changed in one place, by rerunning its benchmark, and the README cannot drift."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A figure: a number with a decimal point, a percent sign or a thousands separator, alone or as a
# ratio ("2.59x"); plain small counts such as "6 of 10 annotators" and sizes such as "48x48" are the
# README's own words.
FIGURE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+\.\d+|\d+(?=%))(?=x(?!\w)|(?!\w))")


NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def values(text: str, pattern=FIGURE) -> set:
    return {round(float(token.replace(",", "")), 6) for token in pattern.findall(text)}


def quoted(readme: str) -> str:
    """The README's results: its "## Results" section, the command table's rows and the live delay."""
    results = readme.split("\n## Results\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in readme.splitlines() if re.match(r"\| `(predict|video|serve)`", line)]
    live = readme.split("\n### Live\n", 1)[1].split("\n### ", 1)[0].split("```")[-1]
    return "\n".join([results, *rows, live])


def test_every_figure_the_readme_quotes_is_in_a_benchmarks_results_file():
    readme = (REPO / "README.md").read_text()
    written = values("\n".join(path.read_text() for path in sorted((REPO / "benchmarks").glob("RESULTS*.md"))), NUMBER)
    text = quoted(readme)
    assert len(values(text)) >= 30, "the README's results were found"
    missing = sorted(values(text) - written)
    assert not missing, f"README quotes figures no benchmarks/RESULTS*.md holds: {missing}"


def test_every_results_file_names_its_machine_and_commit():
    for path in sorted((REPO / "benchmarks").glob("RESULTS*.md")):
        header = path.read_text().split("\n\n", 3)[1]
        assert re.search(r"Measured on .+, at commit [0-9a-f]{7,}", header), f"{path.name}: {header}"
