"""A master-data load is one audit entry with its counts, written with the rows; a dry run and a
refused file write none."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from proteacher.registry.tests.conftest import TRAINING_HEADER, training_rows
from proteacher.testing.audit import entries, the_entry

pytestmark = pytest.mark.django_db


def test_a_load_is_one_entry_with_its_counts(write_csv):
    path = write_csv([TRAINING_HEADER, *training_rows(30)], name="研習時數113.csv")

    call_command("import_training", str(path), stdout=StringIO())
    call_command("import_training", str(path), stdout=StringIO())

    first, again = entries("import.run")
    assert (first.actor_id, first.target) == (None, "研習時數（研習時數113.csv）")
    assert first.data == {
        "importer": "TrainingImporter",
        "file": "研習時數113.csv",
        "created": 30,
        "updated": 0,
        "unchanged": 0,
    }
    assert (again.data["created"], again.data["unchanged"]) == (0, 30)


def test_a_dry_run_records_nothing(write_csv):
    path = write_csv([TRAINING_HEADER, *training_rows(5)])

    call_command("import_training", str(path), "--dry-run", stdout=StringIO())

    assert not entries("import.run")


def test_a_refused_file_records_nothing(write_csv):
    rows = training_rows(5)
    rows[2][3] = "abc"
    path = write_csv([TRAINING_HEADER, *rows])

    with pytest.raises(CommandError):
        call_command("import_training", str(path), stdout=StringIO(), stderr=StringIO())

    assert not entries("import.run")


def test_each_kind_of_file_names_itself(write_csv):
    path = write_csv([["代碼", "縣市", "簡稱"], ["63000", "臺北市", "臺北"]], name="counties.csv")

    call_command("import_counties", str(path), stdout=StringIO())

    assert the_entry("import.run").target.endswith("（counties.csv）")
