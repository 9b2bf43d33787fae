from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.evaluation import load_squad
from tests.support import HEMEROTECA, REPO, SAMPLES, SHOIGU_QUESTION, run_command


def run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"HEMEROTECA_DATA_DIR": str(data_dir), "HEMEROTECA_CONFIG": str(REPO / "config.toml")}
    return run_command([*HEMEROTECA, *args], env, stdin)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("data")
    done = run(directory, "ingest", str(SAMPLES))
    assert done.returncode == 0, done.stderr
    assert "Added 1 article (" in done.stdout
    return directory


def test_ask_prints_numbered_quotes_with_source_lines(data_dir: Path) -> None:
    done = run(data_dir, "ask", SHOIGU_QUESTION)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1. «")
    assert "— Kim Jong-un y Putin" in done.stdout


def test_ask_json_contract(data_dir: Path) -> None:
    done = run(data_dir, "ask", SHOIGU_QUESTION, "--json", "--k", "2")
    payload = json.loads(done.stdout)
    assert set(payload) == {
        "question", "language", "passages",
        "period", "period_empty", "ignored_date", "speaker", "speaker_found", "overview",
    }  # fmt: skip
    assert payload["language"] == "es"
    assert payload["period"] is None and not payload["overview"]  # it names no time
    assert payload["speaker"] == "Ucrania" and payload["speaker_found"]
    assert 1 <= len(payload["passages"]) <= 2
    first = payload["passages"][0]
    assert set(first) == {
        "quote", "article_id", "start", "end", "title", "source", "url", "published", "score",
        "speaker", "also_in",
    }  # fmt: skip
    assert "Ucrania" in first["speaker"]
    assert first["also_in"] == []


def test_ask_as_of_fixes_today_for_dated_questions(data_dir: Path) -> None:
    done = run(data_dir, "ask", "¿Qué dijo Ucrania ayer?", "--json", "--as-of", "2023-09-07")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["period"] == {"from": "2023-09-06", "to": "2023-09-06"}
    text = run(data_dir, "ask", "¿Qué dijo Ucrania la semana pasada?", "--as-of", "2030-01-10")
    assert text.stdout.startswith(
        "Nothing published from 2029-12-31 to 2030-01-06 answers that; the best from any date:"
    )
    one_day = run(data_dir, "ask", "¿Qué dijo Ucrania ayer?", "--as-of", "2023-09-07")
    assert one_day.stdout.startswith("Nothing published on 2023-09-06 answers that;")
    nothing_then = run(data_dir, "ask", "¿Qué pasó ayer?", "--as-of", "2023-09-07")
    assert nothing_then.stdout.strip() == "Nothing was published on 2023-09-06."


@pytest.mark.parametrize("as_of", ["2023-13-01", "ayer", "07/09/2023"])
def test_a_malformed_as_of_is_a_usage_error(data_dir: Path, as_of: str) -> None:
    done = run(data_dir, "ask", SHOIGU_QUESTION, "--as-of", as_of)
    assert done.returncode == 2
    assert "is not a date as YYYY-MM-DD" in done.stderr


def test_ask_reads_questions_from_stdin(data_dir: Path) -> None:
    done = run(data_dir, "ask", stdin=f"{SHOIGU_QUESTION}\n\n¿Qué dijo Kim Jong-un?\n")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["question"] for line in lines] == [SHOIGU_QUESTION, "", "¿Qué dijo Kim Jong-un?"]
    assert lines[0]["passages"] and lines[2]["passages"]
    assert lines[1]["error"] == "the question is empty"
    assert done.returncode == 2


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_2_with_a_message(data_dir: Path, question: str) -> None:
    done = run(data_dir, "ask", question)
    assert done.returncode == 2
    assert "the question is empty" in done.stderr


def test_overlong_question_exits_2(data_dir: Path) -> None:
    done = run(data_dir, "ask", "x" * 1001)
    assert done.returncode == 2 and "limit is 1,000" in done.stderr


def test_ingest_reports_failures_but_keeps_good_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.md").write_text(
        "Buen titular\n\nUn artículo correcto sobre la sequía en Andalucía.", "utf-8"
    )
    (inbox / "binary.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (inbox / "latin.txt").write_bytes("Título\nAño".encode("latin-1"))
    (inbox / "lines.jsonl").write_text(
        '{"title": "A", "text": "Texto de la línea uno del fichero."}\n{broken\n', "utf-8"
    )
    data_dir = tmp_path / "data"
    done = run(data_dir, "ingest", str(inbox), str(tmp_path / "missing"))
    assert done.returncode == 1
    assert "Added 2 articles (" in done.stdout and "4 failed" in done.stdout
    assert "binary.txt: binary file" in done.stderr
    assert "latin.txt: not valid UTF-8" in done.stderr
    assert "lines.jsonl:2: not valid JSON" in done.stderr
    assert "missing: no such file or folder" in done.stderr
    again = run(data_dir, "ingest", str(inbox / "good.md"))
    assert (
        "Added 0 articles (0 passages), 1 already in the archive" in again.stdout
        and "is already article 1" in again.stdout
    )
    stats = run(data_dir, "stats")
    assert "articles:       2" in stats.stdout


def test_delete_then_never_quoted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run(data_dir, "ingest", str(SAMPLES))
    assert run(data_dir, "delete", "1").returncode == 0
    assert json.loads(run(data_dir, "ask", SHOIGU_QUESTION, "--json").stdout)["passages"] == []
    missing = run(data_dir, "delete", "1")
    assert missing.returncode == 1 and "there is no article 1" in missing.stderr


def test_reindex_rebuilds_without_re_embedding(data_dir: Path) -> None:
    done = run(data_dir, "reindex")
    assert done.returncode == 0 and "Reindex done: rebuilt the indexes" in done.stdout


def test_unwritable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run(blocker / "data", "ask", SHOIGU_QUESTION)
    assert done.returncode == 1
    assert "cannot open the archive" in done.stderr and "writable" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_without_token_explains(tmp_path: Path) -> None:
    env_backup = os.environ.pop("TELEGRAM_BOT_TOKEN", None)
    try:
        done = run(tmp_path, "serve")
    finally:
        if env_backup is not None:
            os.environ["TELEGRAM_BOT_TOKEN"] = env_backup
    assert done.returncode == 2 and "TELEGRAM_BOT_TOKEN" in done.stderr


def test_eval_on_a_small_squad_file(tmp_path: Path) -> None:
    context = (
        "El río Ebro nace en Fontibre, en Cantabria. Desemboca en el mar Mediterráneo, "
        "formando un delta en Tarragona."
    )
    squad = {
        "data": [
            {
                "title": "Ebro",
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {"question": "¿Dónde nace el Ebro?", "id": "1",
                             "answers": [{"text": "Fontibre", "answer_start": 20}]},
                            {"question": "¿Dónde desemboca el Ebro?", "id": "2",
                             "answers": [{"text": "mar Mediterráneo", "answer_start": 3}]},
                        ],
                    }
                ],
            }
        ]
    }  # fmt: skip
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(squad), "utf-8")
    done = run(tmp_path / "unused", "eval", str(path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["questions"] == 2 and report["articles"] == 1
    assert report["hit_at_1"] == 1.0  # the shifted answer_start is recovered by searching the text
    assert report["mean_first_quote_chars"] > 0


def test_eval_without_the_dataset_says_so(tmp_path: Path) -> None:
    done = run(tmp_path, "eval", str(tmp_path / "absent.json"))
    assert done.returncode == 1 and "not found" in done.stderr


def test_an_article_without_a_published_date_counts_from_the_day_it_was_added(
    data_dir: Path,
) -> None:
    """The sample article has no date: "hoy" finds it on the day it was stored, not later."""
    today = datetime.now(UTC).date()
    asked = run(data_dir, "ask", "¿Qué dijo Ucrania hoy?", "--json", "--as-of", today.isoformat())
    payload = json.loads(asked.stdout)
    assert payload["period"] == {"from": today.isoformat(), "to": today.isoformat()}
    assert not payload["period_empty"] and payload["passages"]
    later = (today + timedelta(days=30)).isoformat()
    answer = run(data_dir, "ask", "¿Qué dijo Ucrania hoy?", "--json", "--as-of", later)
    elsewhere = json.loads(answer.stdout)
    assert elsewhere["period_empty"] and elsewhere["passages"]  # said so, best from any date


def test_eval_asks_translations_or_the_same_questions_in_their_own_words(tmp_path: Path) -> None:
    qas = [
        {"question": "¿Dónde nace el Ebro?", "id": "1", "answers": []},
        {"question": "¿Qué río nace en Fontibre?", "id": "2", "answers": []},
    ]
    context = {"context": "El Ebro nace en Fontibre.", "qas": qas}
    squad = {"data": [{"title": "Ebro", "paragraphs": [context]}]}
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(squad), "utf-8")
    english = {"2": "Which river rises in Fontibre?"}
    _, asked = load_squad(path, english)
    assert [q.question for q in asked] == ["Which river rises in Fontibre?"]
    _, original = load_squad(path, dict.fromkeys(english, ""))
    assert [q.question for q in original] == ["¿Qué río nace en Fontibre?"]
