"""The silver annotations of the sample corpus (training/): each finds its abstract, passes
the annotation checks, and none annotates a dev abstract or a kg-train one."""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata

import pytest
from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "scripts"))


def _module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


pytestmark = pytest.mark.skipif(
    not (SHARED / "seeds").is_dir() or not (SHARED / "gold" / "dev.jsonl").exists(),
    reason="../shared/seeds or ../shared/gold is not next to the checkout",
)


@pytest.fixture(scope="module")
def silver():
    return _module(ROOT / "scripts" / "silver.py").load()


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())  # as the scorer pairs papers


def test_every_annotation_finds_its_abstract_and_passes_the_checks(silver):
    validate = _module(ROOT / "training" / "validate.py")
    assert len(silver) == len({p["id"] for p in silver}) > 300
    for p in silver:
        assert validate.problems(p, p) == [], p["id"]
    # nearly every entity has a mention (a few sit inside a longer name, as in kg-train)
    entities = [e for p in silver for e in p["entities"]]
    assert sum(not e["mentions"] for e in entities) < 0.01 * len(entities)
    for p in silver:
        texts = {"abstract": p["text"], "title": p["title"] or ""}
        for e in p["entities"]:
            forms = {f.lower() for f in [e["name"], *e.get("aliases", [])]}
            for m in e["mentions"]:
                assert texts[m["field"]][m["start"] : m["end"]].lower() in forms


def test_no_dev_or_kg_train_abstract_is_in_the_silver_set(silver):
    dev = {_key(json.loads(x)["text"]) for x in (SHARED / "gold" / "dev.jsonl").open()}
    train = SHARED / "train" / "kg-train.jsonl"
    kg = {_key(json.loads(x)["text"]) for x in train.open()} if train.exists() else set()
    assert not {_key(p["text"]) for p in silver} & (dev | kg)
