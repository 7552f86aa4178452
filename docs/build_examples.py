"""Build the real-data examples in resources/examples (run it again after changing one here).

Each example is a workflow of built-in functions over a small file in resources/examples/data. Its paths are
relative to the workflow's folder (see `fancy_studio.core.paths`), so an untitled copy reads the data copied
into Documents/Fancy Studio Examples and writes its results beside it. The ids are fixed (uuid5 of the
example and the node's name), so a rebuilt example keeps the ids tests and screenshots refer to, and the
layout is what the studio's Auto Layout makes of it.

    QT_QPA_PLATFORM=offscreen python docs/build_examples.py
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from fancy_studio.core import CellSpec, Workflow, WorkflowStep, save_workflow
from fancy_studio.resources import examples_dir

NAMESPACE = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")


class Builder:
    """A workflow built step by step: `step(...)` wires named cells, creating each the first time."""

    def __init__(self, key: str, name: str, description: str) -> None:
        self.key = key
        self.workflow = Workflow(id=self._id("workflow"), name=name, description=description)
        self.cells: dict[str, CellSpec] = {}

    def _id(self, name: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{self.key}/{name}")

    def cell(self, alias: str, value: Any = None, *, literal: bool = False, description: str = "") -> uuid.UUID:
        if alias not in self.cells:
            spec = CellSpec(id=self._id(f"cell/{alias}"), alias=alias, description=description)
            if literal:
                spec.value = value
            self.cells[alias] = self.workflow.add_cell(spec)
        return self.cells[alias].id

    def step(self, slug: str, label: str, inputs: dict[str, str], output: str, **params: Any) -> None:
        self.workflow.add_step(WorkflowStep(
            id=self._id(f"step/{label}"), function_slug=slug, label=label,
            inputs={name: self.cell(alias) for name, alias in inputs.items()},
            outputs={"return": self.cell(output)}, params=params))


def sales_by_region() -> Builder:
    b = Builder("sales_by_region", "Sales by region",
                "Load sales.csv, keep the orders over 100, total them by region, chart it, write the totals.")
    b.step("table.read_csv", "Read sales", {}, "sales", path="data/sales.csv")
    b.step("table.filter_rows", "Keep big orders", {"table": "sales"}, "big_orders",
           column="amount", op=">", value=100)
    b.step("table.group_by", "Total by region", {"table": "big_orders"}, "totals",
           by="region", column="amount", agg="sum")
    b.step("table.sort", "Largest first", {"table": "totals"}, "ranked", by="amount", descending=True)
    b.step("plot.bar", "Bar chart", {"table": "ranked"}, "chart", x="region", y="amount",
           title="Orders over 100, total by region")
    b.step("plot.save", "Save chart", {"image": "chart"}, "chart_file", path="sales_by_region.png")
    b.step("table.write_csv", "Write totals", {"table": "ranked"}, "totals_file", path="region_totals.csv")
    return b


def word_counts() -> Builder:
    b = Builder("word_counts", "Word counts",
                "Count the words of a text file (Ada Lovelace's notes on the Analytical Engine) and chart the "
                "most frequent.")
    b.step("files.read_text", "Read article", {}, "article", path="data/article.txt")
    b.step("text.lower", "Lower case", {"text": "article"}, "lowered")
    b.step("text.regex_find_all", "Words of 4+ letters", {"text": "lowered"}, "words", pattern="[a-z']{4,}")
    b.step("table.from_list", "Words as a table", {"items": "words"}, "word_table", column="word")
    b.step("table.count_values", "Count each word", {"table": "word_table"}, "counts", column="word")
    b.step("table.head", "Top 12", {"table": "counts"}, "top", n=12)
    b.step("plot.bar", "Chart top words", {"table": "top"}, "chart", x="word", y="count",
           title="Most frequent words")
    b.step("table.write_csv", "Write counts", {"table": "counts"}, "counts_file", path="word_counts.csv")
    return b


def clean_contacts() -> Builder:
    b = Builder("clean_contacts", "Cleaning a messy table",
                "Tidy an exported contact list: trim and case the text, fix country spellings, drop blank and "
                "repeated rows, make the order counts numbers.")
    b.step("table.read_csv", "Read contacts", {}, "messy", path="data/contacts_messy.csv")
    b.step("table.rename_columns", "Plain column names", {"table": "messy"}, "renamed",
           mapping={"Full Name": "name", "E-mail": "email", "Country": "country", "Born": "born",
                    "Orders": "orders"})
    b.step("table.clean_text", "Trim spaces", {"table": "renamed"}, "trimmed", columns=[], change="strip")
    b.step("table.clean_text", "Names in title case", {"table": "trimmed"}, "named", columns=["name"],
           change="title")
    b.step("table.clean_text", "E-mails in lower case", {"table": "named"}, "mailed", columns=["email"],
           change="lower")
    b.step("table.replace_values", "One spelling per country", {"table": "mailed"}, "countries",
           column="country", mapping={"uk": "UK", "U.K.": "UK", "usa": "USA", "netherlands": "Netherlands"})
    b.step("table.drop_missing", "Drop rows without a name", {"table": "countries"}, "named_rows",
           columns=["name"])
    b.step("table.drop_duplicates", "Drop repeated people", {"table": "named_rows"}, "unique",
           columns=["name"])
    b.step("table.to_numbers", "Orders as numbers", {"table": "unique"}, "clean", columns=["orders"])
    b.step("table.write_csv", "Write clean contacts", {"table": "clean"}, "clean_file", path="contacts_clean.csv")
    return b


def join_tables() -> Builder:
    b = Builder("join_tables", "Joining two tables",
                "Join orders to their customers, then total the orders by the customers' country.")
    b.step("table.read_csv", "Read orders", {}, "orders", path="data/orders.csv")
    b.step("table.read_csv", "Read customers", {}, "customers", path="data/customers.csv")
    b.step("table.join", "Orders with customers", {"left": "orders", "right": "customers"}, "joined",
           on="customer_id", how="left")
    b.step("table.group_by", "Total by country", {"table": "joined"}, "by_country",
           by="country", column="total", agg="sum")
    b.step("table.sort", "Largest first", {"table": "by_country"}, "ranked", by="total", descending=True)
    b.step("plot.bar", "Chart by country", {"table": "ranked"}, "chart", x="country", y="total",
           title="Order totals by country")
    b.step("table.write_csv", "Write joined orders", {"table": "joined"}, "joined_file",
           path="orders_with_customers.csv")
    return b


def statistics_report() -> Builder:
    b = Builder("statistics_report", "Statistics report",
                "Summarise two days of sensor readings: statistics of every column, the mean temperature per "
                "sensor, a histogram, and the garden's temperature over the hours.")
    b.step("table.read_csv", "Read measurements", {}, "readings", path="data/measurements.csv")
    b.step("table.describe", "Statistics", {"table": "readings"}, "statistics")
    b.step("table.write_csv", "Write statistics", {"table": "statistics"}, "statistics_file",
           path="measurement_statistics.csv")
    b.step("table.group_by", "Mean per sensor", {"table": "readings"}, "per_sensor",
           by="sensor", column="temperature", agg="mean")
    b.step("plot.histogram", "Temperature histogram", {"table": "readings"}, "histogram",
           column="temperature", bins=24, title="All temperatures")
    b.step("table.filter_rows", "Garden only", {"table": "readings"}, "garden",
           column="sensor", op="==", value="garden")
    b.step("plot.line", "Garden over time", {"table": "garden"}, "garden_chart", x="hour", y="temperature",
           title="Garden temperature by hour")
    return b


EXAMPLES = (sales_by_region, word_counts, clean_contacts, join_tables, statistics_report)


STEPS_PER_ROW = 3
GAP_X, GAP_Y = 70.0, 90.0


def lay_out(workflow: Workflow) -> Workflow:
    """Rows of `STEPS_PER_ROW` steps, each followed by its output cell (inputs are the steps' parameters), sized
    by the studio's own node items (a window on a headless screen), so an example reads at a normal zoom
    where one long line of nodes would need a zoom too small for their fields."""
    from PySide6.QtWidgets import QApplication

    from fancy_studio.gui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    window.document.replace(workflow, None)
    app.processEvents()
    sizes = {node: window.scene.item_for(node).boundingRect() for node in
             [*(s.id for s in workflow.steps), *(c.id for c in workflow.cells)]}
    positions: dict[uuid.UUID, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for index, step in enumerate(workflow.steps):
        if index and index % STEPS_PER_ROW == 0:
            x, y, row_height = 0.0, y + row_height + GAP_Y, 0.0
        row = [step.id, *step.outputs.values()]
        tallest = max(sizes[node].height() for node in row)
        for node in row:
            rect = sizes[node]
            positions[node] = (x, y + (tallest - rect.height()) / 2)
            x += rect.width() + GAP_X
        row_height = max(row_height, tallest)
    window.document.set_positions(positions)
    laid = window.document.workflow.model_copy(deep=True)
    window.document.undo_stack.setClean()
    window.close()
    return laid


def main() -> None:
    for build in EXAMPLES:
        builder = build()
        workflow = lay_out(builder.workflow)
        path = examples_dir() / f"{builder.key}.json"
        save_workflow(workflow, path)
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
