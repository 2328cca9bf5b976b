"""Benchmark of the embedded model: load time, first-token latency, tokens/s through journeybot's
ChatModel (ChatOpenAI) versus the same server called with plain HTTP, and seconds per constrained
(JSON-schema) extraction.

    .venv/bin/python bench/bench_model.py                 # local if installed, else local-small
    .venv/bin/python bench/bench_model.py --model local-small --runs 5

The two streaming paths run interleaved on the same prompt after a warm-up, so both see the same
prompt cache. Target: journeybot's tokens/s >= 0.95 x plain HTTP.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from journeybot.llm import local_server, weights
from journeybot.llm.factory import make_chat_model
from journeybot.llm.openai_chat import OpenAIChatModel
from journeybot.llm.protocol import Message
from journeybot.settings import load_settings

STREAM_MESSAGES: list[Message] = [
    ("system", "Tu es un assistant marketing. Réponds en français."),
    ("user", "Décris en détail, en un long paragraphe, le parcours d'un client qui achète un vélo en ligne."),
]
EXTRACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "touchpoints": {"type": "array", "maxItems": 4, "items": {"type": "object", "properties": {
            "name": {"type": "string", "maxLength": 40},
            "channel": {"type": "string", "enum": ["online", "offline"]}},
            "required": ["name", "channel"], "additionalProperties": False}},
        "pain_points": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 80}},
        "emotion": {"type": "integer", "minimum": -2, "maximum": 2},
    },
    "required": ["touchpoints", "pain_points", "emotion"],
    "additionalProperties": False,
}
EXTRACTION_SYSTEM = (
    "Tu extrais des informations de la réponse d'un client. Réponds en français, en JSON compact. "
    "touchpoints : les moyens de contact que le client cite, avec ses mots. pain_points : ses problèmes, "
    "avec ses mots. emotion : de -2 à 2 ; un sentiment négatif donne un score négatif."
)
ANSWERS = [
    "J'ai commandé le canapé sur le site web, puis la livraison a eu trois jours de retard et personne ne "
    "répondait au téléphone du service client. J'étais vraiment énervée.",
    "Je suis passée en magasin, le vendeur m'a très bien conseillée et j'ai reçu un mail de suivi le "
    "lendemain. Franchement ravie.",
    "L'application plantait au moment de payer, j'ai dû recommencer trois fois. Au final j'ai payé par "
    "téléphone, mais c'était long et pénible.",
]


def direct_stream(base_url: str, messages: list[Message], max_tokens: int) -> tuple[float, float, int]:
    """Plain HTTP streaming call: (seconds to first token, total seconds, completion tokens)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=300)
    body = {"model": "local", "stream": True, "max_tokens": max_tokens, "stream_options": {"include_usage": True},
            "messages": [{"role": r, "content": c} for r, c in messages]}
    start = time.perf_counter()
    conn.request("POST", parts.path + "/chat/completions", json.dumps(body),
                 {"Content-Type": "application/json", "Authorization": "Bearer local"})
    response = conn.getresponse()
    first: float | None = None
    tokens = 0
    for raw in _lines(response):
        if not raw.startswith("data: ") or raw == "data: [DONE]":
            continue
        event = json.loads(raw[6:])
        if event.get("usage"):
            tokens = int(event["usage"].get("completion_tokens") or 0)
        for choice in event.get("choices") or []:
            if (choice.get("delta") or {}).get("content") and first is None:
                first = time.perf_counter() - start
    total = time.perf_counter() - start
    conn.close()
    return first or total, total, tokens


def _lines(response: http.client.HTTPResponse) -> Iterator[str]:
    while True:
        line = response.readline()
        if not line:
            return
        yield line.decode("utf-8").rstrip("\r\n")


def journeybot_stream(model: OpenAIChatModel, messages: list[Message], max_tokens: int) -> tuple[float, float, int]:
    start = time.perf_counter()
    first: float | None = None
    for piece in model.stream(messages, max_tokens=max_tokens):
        if first is None and piece:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    return first or total, total, model.last_usage.completion_tokens


def gen_rate(first: float, total: float, tokens: int) -> float:
    """Generation speed after the first token (tokens/s)."""
    return (tokens - 1) / (total - first) if tokens > 1 and total > first else 0.0


def client_overhead(pieces: int = 2000) -> tuple[float, float]:
    """Client-side cost per streamed piece (seconds), ChatModel vs plain HTTP, against an instant stub
    server: independent of the model's speed and of other processes' load."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.stub_openai import Reply, StubOpenAI

    text = " ".join(["mot"] * pieces)
    with StubOpenAI(default=Reply.ok(text)) as stub:
        model = OpenAIChatModel(model="stub-model", api_key="local", base_url=stub.base_url, timeout=60)
        journeybot_stream(model, STREAM_MESSAGES, pieces)  # warm-up (imports, connection)
        direct_stream(stub.base_url, STREAM_MESSAGES, pieces)
        jb = min(journeybot_stream(model, STREAM_MESSAGES, pieces)[1] for _ in range(3))
        raw = min(direct_stream(stub.base_url, STREAM_MESSAGES, pieces)[1] for _ in range(3))
    return jb / pieces, raw / pieces


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = "local" if weights.is_installed("local") else "local-small"
    parser.add_argument("--model", choices=["local", "local-small"], default=default)
    parser.add_argument("--runs", type=int, default=8, help="streaming runs per path (interleaved, ABBA)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--extractions", type=int, default=len(ANSWERS))
    args = parser.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"model: {args.model} ({weights.SPECS[args.model].label}); cores: {os.cpu_count()}, "
          f"load average before: {load:.2f} (other processes slow every figure down)")
    t0 = time.perf_counter()
    weights_path = weights.ensure_weights(args.model)
    print(f"weights ready:            {time.perf_counter() - t0:7.2f} s  ({weights_path})")
    settings = load_settings(model=args.model, request_timeout=900, answer_deadline=900, breaker_failures=0)
    t0 = time.perf_counter()
    model = make_chat_model(settings)
    assert isinstance(model, OpenAIChatModel) and model.base_url
    server = local_server.running()
    assert server is not None
    print(f"server load (model):      {server.load_seconds:7.2f} s  (threads={server.threads}, n_ctx={server.context_size})")
    print(f"make_chat_model total:    {time.perf_counter() - t0:7.2f} s")

    # Warm-up: both paths then start from the same cached prompt prefix.
    direct_stream(model.base_url, STREAM_MESSAGES, 8)
    journeybot_stream(model, STREAM_MESSAGES, 8)

    jb: list[tuple[float, float, int]] = []
    direct: list[tuple[float, float, int]] = []
    pair_ratios: list[float] = []
    for i in range(args.runs):
        # Alternate which path goes first (ABBA): a burst of load from other processes then falls on
        # both paths alike, and each pair gives its own ratio.
        if i % 2 == 0:
            d = direct_stream(model.base_url, STREAM_MESSAGES, args.max_tokens)
            j = journeybot_stream(model, STREAM_MESSAGES, args.max_tokens)
        else:
            j = journeybot_stream(model, STREAM_MESSAGES, args.max_tokens)
            d = direct_stream(model.base_url, STREAM_MESSAGES, args.max_tokens)
        direct.append(d)
        jb.append(j)
        if gen_rate(*d) > 0:
            pair_ratios.append(gen_rate(*j) / gen_rate(*d))

    def summary(runs: list[tuple[float, float, int]]) -> tuple[float, float, float]:
        first = statistics.median(r[0] for r in runs)
        rate = statistics.median(gen_rate(*r) for r in runs)
        overall = statistics.median(r[2] / r[1] for r in runs if r[1] > 0)
        return first, rate, overall

    d_first, d_rate, d_all = summary(direct)
    j_first, j_rate, j_all = summary(jb)
    print(f"\nstreaming, {args.runs} runs each, max_tokens={args.max_tokens} (medians)")
    print(f"{'':26}{'first token':>12}{'gen tok/s':>11}{'overall tok/s':>15}")
    print(f"{'plain HTTP':26}{d_first:11.3f}s{d_rate:11.1f}{d_all:15.1f}")
    print(f"{'journeybot ChatModel':26}{j_first:11.3f}s{j_rate:11.1f}{j_all:15.1f}")
    ratio = j_rate / d_rate if d_rate else 0.0
    print(f"ratio journeybot / plain HTTP (gen tok/s): {ratio:.3f}  (target >= 0.95)"
          f"   overall: {j_all / d_all if d_all else 0:.3f}")
    if pair_ratios:
        print(f"ratio per interleaved pair: median {statistics.median(pair_ratios):.3f} "
              f"(pairs: {', '.join(f'{r:.2f}' for r in pair_ratios)})")
    jb_cost, raw_cost = client_overhead()
    extra = max(0.0, jb_cost - raw_cost)
    rate = max(d_rate, 1.0)
    print(f"client cost per streamed piece (instant stub server): ChatModel {jb_cost * 1e6:.0f} us, "
          f"plain HTTP {raw_cost * 1e6:.0f} us")
    print(f"  -> at {rate:.1f} tok/s the ChatModel's extra cost alone allows a ratio of "
          f"{1 / (1 + extra * rate):.3f}; at 60 tok/s: {1 / (1 + extra * 60):.3f}")

    print(f"\nconstrained extraction (JSON schema, temperature 0), {args.extractions} answers")
    seconds: list[float] = []
    for i in range(args.extractions):
        answer = ANSWERS[i % len(ANSWERS)]
        t0 = time.perf_counter()
        text = model.json([("system", EXTRACTION_SYSTEM), ("user", answer)], EXTRACTION_SCHEMA, max_tokens=300)
        seconds.append(time.perf_counter() - t0)
        usage = model.last_usage
        print(f"  {seconds[-1]:6.2f} s  prompt={usage.prompt_tokens:4d} cached={usage.extra.get('cached_tokens', '?')!s:>4} "
              f"out={usage.completion_tokens:4d}  {json.dumps(json.loads(text), ensure_ascii=False)[:110]}")
    print(f"seconds per extraction: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")
    print(f"load average after: {os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan'):.2f}")
    local_server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
