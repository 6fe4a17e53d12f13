"""OutputSet.commit(remove=…): a file of the set not written this time is removed with the moves, and a
commit killed after its journal is finished by the next run, removal included."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scoring.atomic import OutputSet, journal_path


def test_a_file_left_out_of_the_new_set_is_removed_with_it(tmp_path: Path) -> None:
    page, pdf = tmp_path / "index.html", tmp_path / "通报.pdf"
    page.write_text("old")
    pdf.write_text("old")
    files = OutputSet([page, pdf])
    files.stage(page, lambda tmp: tmp.write_text("new"))
    files.commit(remove=[pdf])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"] and page.read_text() == "new"
    files = OutputSet([page, pdf])  # nothing to remove: fine
    files.stage(page, lambda tmp: tmp.write_text("newer"))
    files.commit(remove=[pdf])
    assert page.read_text() == "newer"


def test_a_killed_commit_with_a_removal_is_finished_by_recover(tmp_path: Path) -> None:
    page, pdf = tmp_path / "index.html", tmp_path / "通报.pdf"
    page.write_text("old")
    pdf.write_text("old")
    files = OutputSet([page, pdf])
    files.stage(page, lambda tmp: tmp.write_text("new"))
    # what commit(remove=[pdf]) journals, then a kill before any move
    moves = [[str(pdf), str(tmp_path / ".通报.pdf.0a0b.tmp")], [str(files.staged[page]), str(page)]]
    journal_path(page).write_text(json.dumps(moves), encoding="utf-8")
    os.replace(moves[0][0], moves[0][1])  # the removal's move done, the page's not
    assert OutputSet.recover([page, pdf])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"] and page.read_text() == "new"


def test_recover_removes_a_writer_s_own_temporary_file_inside_a_staged_one(tmp_path: Path) -> None:
    # the workbook is written atomically to its staged name: a kill then leaves a temporary of a temporary
    book, results = tmp_path / "r.xlsx", tmp_path / "r.parquet"
    book.write_text("old")
    files = OutputSet([book, results])
    files.stage(book, lambda tmp: tmp.write_text("new"))
    nested = tmp_path / f".{files.staged[book].name}.0123456789ab.tmp"
    nested.write_text("half")  # what a kill inside the writer leaves
    other = tmp_path / ".other.xlsx.0123456789ab.tmp"  # another file's: left alone
    other.write_text("x")
    assert not OutputSet.recover([book, results])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([book.name, other.name])
    assert book.read_text() == "old"
