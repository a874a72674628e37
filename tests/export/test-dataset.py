#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dataset export as a training pipeline reads it: numpy loads X.npy and
y.npy; shapes, classes, splits and hashes match the manifest; rows hold the
recordings' own samples; no recording is in two splits; the same seed gives
the same bytes; a rejected review item comes back as a negative.  Also reads
the Audacity, Raven, Label Studio and Edge Impulse outputs with Python's csv
and json by their documented columns and fields.

Usage: test-dataset.py WAYMARK_CLI   (TAP on stdout)
"""

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import wave
import xml.etree.ElementTree as ET

import numpy as np

from taptest import check  # noqa: E402
import taptest  # noqa: E402

CLI = sys.argv[1]
GOLDEN_MODEL = os.path.join(os.environ["WAYMARK_SOURCE_ROOT"], "tests", "parity", "golden", "sensor-h16.wmm")
RATE = 100
FRAMES = 20000
CHANNELS = 6

def cli(*args, status=0):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("WAYMARK_PROJECT", None)
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=env)
    if p.returncode != status:
        raise SystemExit(f"waymark-cli {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def write_wav(path, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(-12000, 12000, size=(FRAMES, CHANNELS), dtype=np.int16)
    with wave.open(path, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.astype("<i2").tobytes())
    return data


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(tmp):
    project = os.path.join(tmp, "p.waymark")
    names = [f"walk{i}" for i in range(5)]
    samples = {}
    cli("init", project)
    for i, name in enumerate(names):
        path = os.path.join(tmp, name + ".wav")
        samples[name] = write_wav(path, i)
        cli("-p", project, "import", path)
    cli("-p", project, "classes", "add", "step")
    cli("-p", project, "classes", "add", "turn")
    for name in names:
        cli("-p", project, "labels", "add", name, "1000", "1400", "step")
        cli("-p", project, "labels", "add", name, "5000", "5010", "turn")

    # A review rejection on the first recording: a model run, then reject the top item.
    cli("-p", project, "model", "import", GOLDEN_MODEL)
    cli("-p", project, "autolabel", names[0], "--threshold", "0.4", "--margin", "0.05")
    item = json.loads(cli("-p", project, "review", "next", "--json"))
    cli("-p", project, "review", "reject", str(item["id"]))

    out = os.path.join(tmp, "ds")
    cli("-p", project, "export", "--format", "dataset", "--output", out, "--window", "64", "--hop", "32",
        "--background-ratio", "0.5", "--seed", "7", "--source", "human")
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    splits = manifest["splits"]
    X = {s: np.load(os.path.join(out, s, "X.npy")) for s in splits}
    y = {s: np.load(os.path.join(out, s, "y.npy")) for s in splits}
    rows = list(csv.DictReader(open(os.path.join(out, "index.csv"), newline="")))
    n_rows = sum(len(v) for v in y.values())

    check("train, validation and test, each X float32 [N, window, channels] as the manifest says",
          set(splits) == {"train", "validation", "test"}
          and all(X[s].dtype == np.float32 and list(X[s].shape) == splits[s]["shape"]
                  and X[s].shape[1:] == (64, CHANNELS) for s in splits),
          {s: (X[s].dtype, X[s].shape, splits[s]["shape"]) for s in splits})
    check("y is one int32 class index per row",
          all(y[s].shape == (X[s].shape[0],) and y[s].dtype == np.int32 for s in splits))
    check("classes: background first, then the project's in order", manifest["classes"][:3] == ["background", "step", "turn"]
          and len(manifest["classes"]) == 3 + 4, manifest["classes"])
    check("y indexes the classes", all(int(y[s].min()) >= 0 and int(y[s].max()) < len(manifest["classes"])
                                       for s in splits if len(y[s])))
    check("index.csv has a row per window, with the class of y",
          len(rows) == n_rows and all(manifest["classes"][y[r["split"]][int(r["row"])]] == r["class"] for r in rows))
    check("window, hop, rate and channels in the manifest",
          manifest["window"] == 64 and manifest["hop"] == 32 and manifest["sample_rate"] == RATE
          and len(manifest["channel_names"]) == CHANNELS, manifest)

    ok = True
    for r in rows[::7]:
        start = int(r["start_frame"])
        expected = samples[r["recording"]][start:start + 64].astype(np.float32) / 32768.0
        ok = ok and np.array_equal(X[r["split"]][int(r["row"])], expected)
    check("rows hold the recordings' own samples (int16 / 32768)", ok)

    seen = {}
    ok = True
    for split, info in splits.items():
        recs = {r["recording"] for r in rows if r["split"] == split}
        ok = ok and recs <= set(info["recordings"])
        for rec in info["recordings"]:
            ok = ok and rec not in seen
            seen[rec] = split
    check("splits by recording: no recording in two splits", ok and len(seen) == len(names), seen)
    check("every split has a recording", all(len(v["recordings"]) > 0 for v in splits.values()), splits)

    files = {"index.csv"} | {f"{s}/{n}" for s in splits for n in ("X.npy", "y.npy")}
    check("SHA-256 of every file in the manifest",
          set(manifest["sha256"]) == files
          and all(sha256(os.path.join(out, f)) == h for f, h in manifest["sha256"].items()), manifest["sha256"])

    counts = manifest["counts"]
    check("counts by source add up", sum(counts.values()) == n_rows, counts)
    step_windows = sum(1 for r in rows if r["class"] == "step")
    check("a 400-frame label gives (400 - 64) / 32 + 1 windows per recording", step_windows == 5 * 11, step_windows)
    background = [sum(1 for r in rows if r["source"] == "background" and r["recording"] == n) for n in names]
    # walk0's model labels may leave less unlabelled room.
    check("background windows at the ratio", background[1:] == [6] * 4 and background[0] <= 6, background)
    check("background windows overlap no label",
          all(not (int(r["start_frame"]) < 1400 and int(r["start_frame"]) + 64 > 1000)
              and not (int(r["start_frame"]) < 5010 and int(r["start_frame"]) + 64 > 5000)
              for r in rows if r["source"] == "background"))
    check("the rejected review item is a negative", manifest["review_negatives"] == 1 and counts["review-negative"] == 1
          and any(r["source"] == "review-negative" and r["class"] == "background" and r["recording"] == names[0]
                  for r in rows), counts)

    again = os.path.join(tmp, "ds-again")
    cli("-p", project, "export", "--format", "dataset", "--output", again, "--window", "64", "--hop", "32",
        "--background-ratio", "0.5", "--seed", "7", "--source", "human")
    check("the same seed gives the same bytes",
          json.load(open(os.path.join(again, "manifest.json")))["sha256"] == manifest["sha256"])

    by_model = os.path.join(tmp, "ds-model")
    cli("-p", project, "export", "--format", "dataset", "--output", by_model, "--model", "sensor-h16",
        "--source", "human", "--background-ratio", "0")
    model_manifest = json.load(open(os.path.join(by_model, "manifest.json")))
    check("--model gives the model's window and hop", model_manifest["window"] == 16 and model_manifest["hop"] == 8
          and np.load(os.path.join(by_model, "train", "X.npy")).shape[1:] == (16, CHANNELS), model_manifest["window"])

    # The data context names the model the windows are for and the models whose labels are in.
    shown = json.loads(cli("-p", project, "model", "show", "sensor-h16", "--json"))
    device_types = [t for t in shown["device_types"].split(",") if t]
    context = model_manifest["data_context"]
    models = context["models"]
    check("--model: the manifest's data context has the model's use case and device types",
          context["use_case"] == shown["use_case"] and shown["use_case"]
          and context["device_types"] == device_types and len(device_types) >= 1, context)
    check("--model: the model's name, version, file hash and data context, as the front-end",
          len(models) == 1 and models[0]["name"] == "sensor-h16" and models[0]["version"] == shown["version"]
          and models[0]["sha256"] == sha256(GOLDEN_MODEL) and models[0]["in_project"]
          and models[0]["use_case"] == shown["use_case"] and models[0]["device_types"] == device_types
          and models[0]["dataset_hash"] == (shown["dataset_hash"] or None)
          and models[0]["roles"] == ["front-end"], models)
    check("without --model and model labels, no model in the data context",
          manifest["data_context"]["use_case"] is None and manifest["data_context"]["models"] == []
          and manifest["data_context"]["device_types"] == [], manifest["data_context"])
    with_model_labels = os.path.join(tmp, "ds-model-labels")
    cli("-p", project, "export", "--format", "dataset", "--output", with_model_labels, "--window", "64",
        "--background-ratio", "0")
    labels_manifest = json.load(open(os.path.join(with_model_labels, "manifest.json")))
    models = labels_manifest["data_context"]["models"]
    check("model labels in the dataset: their model's data context, as a source of labels",
          labels_manifest["model_versions"] == ["sensor-h16@" + shown["version"]] and len(models) == 1
          and models[0]["name"] == "sensor-h16" and models[0]["roles"] == ["labels"]
          and models[0]["use_case"] == shown["use_case"] and models[0]["sha256"] == sha256(GOLDEN_MODEL)
          and labels_manifest["data_context"]["use_case"] is None, labels_manifest["data_context"])

    # Interchange formats, read as their own tools document them.
    aud = os.path.join(tmp, "aud")
    cli("-p", project, "export", "-f", "audacity", "-o", aud, "--source", "human")
    with open(os.path.join(aud, "walk0.txt"), newline="") as f:
        lines = [line.rstrip("\n").split("\t") for line in f]
    check("audacity: start, end, label with six decimals",
          lines == [["10.000000", "14.000000", "step"], ["50.000000", "50.100000", "turn"]], lines)

    rav = os.path.join(tmp, "rav")
    cli("-p", project, "export", "-f", "raven", "-o", rav, "--source", "human")
    with open(os.path.join(rav, "walk1.Table.1.selections.txt"), newline="") as f:
        table = list(csv.DictReader(f, delimiter="\t"))
    check("raven: the selection table's columns",
          [(t["Selection"], t["Begin Time (s)"], t["End Time (s)"], t["Annotation"], t["Begin File"]) for t in table]
          == [("1", "10.000000", "14.000000", "step", "walk1.wav"), ("2", "50.000000", "50.100000", "turn", "walk1.wav")]
          and all(t["View"] and t["Channel"] == "1" and float(t["High Freq (Hz)"]) == RATE / 2 for t in table), table)

    ls_path = os.path.join(tmp, "ls.json")
    cli("-p", project, "export", "-f", "labelstudio", "-o", ls_path)
    tasks = json.load(open(ls_path))
    first = tasks[0]
    results = first["annotations"][0]["result"]
    predictions = first["predictions"]
    check("labelstudio: a task per recording with timeserieslabels results",
          len(tasks) == 5 and all(r["type"] == "timeserieslabels" and r["from_name"] and r["to_name"]
                                  and r["value"]["end"] >= r["value"]["start"] for r in results)
          and any(r["value"]["timeserieslabels"] == ["step"] and r["value"]["start"] == 10.0 for r in results),
          first)
    check("labelstudio: model labels as predictions with score and model_version",
          len(predictions) >= 1 and all("model_version" in p and 0 <= p["score"] <= 1 for p in predictions)
          and all("score" in r for p in predictions for r in p["result"]), predictions[:1])
    check_labelstudio_files(tmp, ls_path, tasks, samples, project)

    ei = os.path.join(tmp, "ei")
    cli("-p", project, "export", "-f", "edge-impulse", "-o", ei, "-r", "walk2", "--source", "human")
    sample = json.load(open(os.path.join(ei, "walk2.json")))
    structured = json.load(open(os.path.join(ei, "structured_labels.labels")))
    segments = structured["structuredLabels"]["walk2.json"]
    values = np.array(sample["payload"]["values"], dtype=np.int16)
    check("edge-impulse: data acquisition payload with the samples",
          sample["payload"]["interval_ms"] == 10 and len(sample["payload"]["sensors"]) == CHANNELS
          and np.array_equal(values, samples["walk2"]) and sample["protected"]["alg"] == "none")
    check("edge-impulse: structured labels tile the sample in ms",
          structured["version"] == 1 and structured["type"] == "structured-labels"
          and segments[0]["startIndex"] == 0 and segments[-1]["endIndex"] == FRAMES * 10 - 1
          and all(a["endIndex"] + 1 == b["startIndex"] for a, b in zip(segments, segments[1:]))
          and {"startIndex": 10000, "endIndex": 13999, "label": "step"} in segments, segments)


def check_labelstudio_files(tmp, ls_path, tasks, samples, project):
    """The labelling config, the tasks and the CSVs agree, as Label Studio
    joins them: results' from_name/to_name name the config's
    TimeSeriesLabels and TimeSeries tags, the TimeSeries value names the
    task's data key, data.ts names a CSV beside the tasks whose header is
    the time column and the Channel columns, every class is a Label."""
    config_path = os.path.join(tmp, "ls-config.xml")
    root = ET.parse(config_path).getroot()
    labels_tags = root.findall("TimeSeriesLabels")
    series_tags = root.findall("TimeSeries")
    check("labelstudio config: a View with one TimeSeriesLabels and one TimeSeries",
          root.tag == "View" and len(labels_tags) == 1 and len(series_tags) == 1, ET.tostring(root))
    labels_tag, series = labels_tags[0], series_tags[0]
    classes = {label.get("value"): label.get("background") for label in labels_tag.findall("Label")}
    channels = [c.get("column") for c in series.findall("Channel")]
    check("labelstudio config: TimeSeriesLabels names the TimeSeries; classes with their colours",
          labels_tag.get("toName") == series.get("name") and {"step", "turn"} <= set(classes)
          and all(c and c.startswith("#") for c in classes.values()), classes)
    check("labelstudio config: the TimeSeries reads a CSV by URL, comma-separated, with a time column",
          series.get("valueType") == "url" and series.get("sep") == "," and series.get("timeColumn") == "time"
          and series.get("value", "").startswith("$") and len(channels) == CHANNELS, series.attrib)

    key = series.get("value")[1:]
    results = [(task, r) for task in tasks
               for holder in task["annotations"] + task["predictions"] for r in holder["result"]]
    check("labelstudio: every result's from_name and to_name are tags of the config",
          results and all(r["from_name"] == labels_tag.get("name") and r["to_name"] == series.get("name")
                          for _, r in results))
    check("labelstudio: every result's class is a Label of the config",
          all(c in classes for _, r in results for c in r["value"]["timeserieslabels"]))

    ok, detail = True, ""
    for task in tasks:
        name = task["data"]["recording"]
        csv_path = os.path.join(os.path.dirname(ls_path), task["data"].get(key, ""))
        if not os.path.isfile(csv_path):
            ok, detail = False, f"{name}: no {csv_path}"
            break
        with open(csv_path, newline="") as f:
            table = list(csv.reader(f))
        header, rows = table[0], table[1:]
        values = np.array([[int(v) for v in row[1:]] for row in rows], dtype=np.int16)
        times = [float(row[0]) for row in rows]
        if header != ["time"] + channels:
            ok, detail = False, f"{name}: header {header} vs config {channels}"
        elif not np.array_equal(values, samples[name]):
            ok, detail = False, f"{name}: the CSV does not hold the recording's samples"
        elif times != [i / RATE for i in range(FRAMES)]:
            ok, detail = False, f"{name}: time column is not seconds"
        else:
            # Region bounds are values of the time column (to the same double).
            on_axis = set(times) | {FRAMES / RATE}
            bad = [r["value"] for t, r in results if t is task
                   if r["value"]["start"] not in on_axis or r["value"]["end"] not in on_axis]
            if bad:
                ok, detail = False, f"{name}: regions off the time axis {bad[:3]}"
        if not ok:
            break
    check("labelstudio: each task's CSV is beside the tasks, with the config's columns and the samples", ok, detail)

    # The CSVs and the config do not disturb import: the labels come back.
    copy = os.path.join(tmp, "ls-copy.waymark")
    shutil.copy(project, copy)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(project + suffix):
            shutil.copy(project + suffix, copy + suffix)
    # walk0 has human labels and a model run's labels (the predictions).
    before = json.loads(cli("-p", copy, "labels", "list", "walk0", "--json"))
    for label in before:
        cli("-p", copy, "labels", "remove", str(label["id"]))
    cli("-p", copy, "import-labels", "--format", "labelstudio", ls_path, "--recording", "walk0")
    after = json.loads(cli("-p", copy, "labels", "list", "walk0", "--json"))

    def spans(labels):
        return sorted((l["start_frame"], l["end_frame"], l["class"], l["source"] == "model", l["model_version"],
                       round(l["confidence"], 6)) for l in labels)
    check("labelstudio: import-labels of the exported tasks gives the labels back",
          any(l["source"] == "model" for l in before) and spans(before) == spans(after),
          (spans(before)[:4], spans(after)[:4]))


if __name__ == "__main__":
    sys.exit(taptest.main("waymark-dataset-", run))
